using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace ConcurrentFutures.Analyzers;

/// <summary>The members whose delegate arguments run in another process.</summary>
internal sealed class SendingTargets
{
    private static readonly HashSet<string> ExecutorMethods = ["Submit", "SubmitAsync", "Map", "MapAsync"];
    private static readonly HashSet<string> PoolMethods = ["Apply", "ApplyAsync", "Map", "Imap", "ImapUnordered", "Starmap"];

    private static readonly string[] ExecutorTypes = ["ConcurrentFutures.ProcessPoolExecutor", "ConcurrentFutures.Orleans.ClusterExecutor"];

    /// <summary>The parameters whose values are copied to the other process (the others — timeouts, chunk sizes, tokens — stay here).</summary>
    private static readonly HashSet<string> SentParameters = ["arg", "arg1", "arg2", "arg3", "arg4", "arg5", "arg6", "args", "item", "value"];

    /// <summary>Parameters whose items are copied (Map's sources).</summary>
    private static readonly HashSet<string> SentSources = ["source", "source1", "source2"];

    private readonly List<INamedTypeSymbol> _executors;
    private readonly INamedTypeSymbol? _pool;
    private readonly INamedTypeSymbol? _process;
    private readonly INamedTypeSymbol? _queue;
    private readonly INamedTypeSymbol? _connection;

    private SendingTargets(List<INamedTypeSymbol> executors, INamedTypeSymbol? pool, INamedTypeSymbol? process, INamedTypeSymbol? queue, INamedTypeSymbol? connection) =>
        (_executors, _pool, _process, _queue, _connection) = (executors, pool, process, queue, connection);

    /// <summary>How a parameter's value travels: not at all, as itself, or as the items of a sequence.</summary>
    public enum Sent
    {
        No,
        Value,
        Items,
    }

    public static SendingTargets? Find(Compilation compilation)
    {
        var executors = ExecutorTypes
            .Select(compilation.GetTypeByMetadataName)
            .Where(t => t is not null)
            .Select(t => t!)
            .ToList();
        INamedTypeSymbol? pool = compilation.GetTypeByMetadataName("ConcurrentFutures.Multiprocessing.Pool");
        INamedTypeSymbol? process = compilation.GetTypeByMetadataName("ConcurrentFutures.Multiprocessing.Process");
        INamedTypeSymbol? queue = compilation.GetTypeByMetadataName("ConcurrentFutures.Multiprocessing.ProcessQueue`1");
        INamedTypeSymbol? connection = compilation.GetTypeByMetadataName("ConcurrentFutures.Multiprocessing.Connection");
        return executors.Count == 0 && pool is null && process is null ? null : new SendingTargets(executors, pool, process, queue, connection);
    }

    /// <summary>How the value given for <paramref name="parameter"/> of a sending call travels.</summary>
    public static Sent HowSent(IParameterSymbol? parameter) =>
        parameter is null ? Sent.No : SentParameters.Contains(parameter.Name) ? Sent.Value : SentSources.Contains(parameter.Name) ? Sent.Items : Sent.No;

    /// <summary>True for Submit/Map (not SubmitAsync) of a process or cluster executor, and Pool's methods: async work given there is refused.</summary>
    public static bool RunsSynchronously(IMethodSymbol method) => method.Name != "SubmitAsync" && method.MethodKind != MethodKind.Constructor;

    /// <summary>True for Put/PutAsync on a process queue and Send on a pipe connection: their value is copied to another process.</summary>
    public bool SendsItem(IMethodSymbol method, ITypeSymbol? receiverType) =>
        receiverType is not null
        && ((method.Name is "Put" or "PutAsync" && _queue is not null && DerivesFrom(receiverType.OriginalDefinition, _queue))
            || (method.Name == "Send" && Is(receiverType, _connection)));

    /// <summary>
    /// True for Submit/Map/... called on an expression whose static type is a process or cluster executor, Pool's
    /// methods, and Process's constructor. A call through a plain <c>Executor</c> is not known to leave the process.
    /// </summary>
    public bool SendsToAnotherProcess(IMethodSymbol method, ITypeSymbol? receiverType)
    {
        if (method.MethodKind == MethodKind.Constructor)
        {
            return Is(method.ContainingType, _process);
        }

        if (receiverType is null)
        {
            return false;
        }

        if (ExecutorMethods.Contains(method.Name) && _executors.Any(e => DerivesFrom(receiverType, e)))
        {
            return true;
        }

        return PoolMethods.Contains(method.Name) && Is(receiverType, _pool);
    }

    private static bool Is(ITypeSymbol? type, INamedTypeSymbol? expected) =>
        expected is not null && SymbolEqualityComparer.Default.Equals(type, expected);

    private static bool DerivesFrom(ITypeSymbol type, INamedTypeSymbol baseType)
    {
        for (ITypeSymbol? current = type; current is not null; current = current.BaseType)
        {
            if (SymbolEqualityComparer.Default.Equals(current, baseType))
            {
                return true;
            }
        }

        return false;
    }
}
