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

    private readonly List<INamedTypeSymbol> _executors;
    private readonly INamedTypeSymbol? _pool;
    private readonly INamedTypeSymbol? _process;

    private SendingTargets(List<INamedTypeSymbol> executors, INamedTypeSymbol? pool, INamedTypeSymbol? process) =>
        (_executors, _pool, _process) = (executors, pool, process);

    public static SendingTargets? Find(Compilation compilation)
    {
        var executors = ExecutorTypes
            .Select(compilation.GetTypeByMetadataName)
            .Where(t => t is not null)
            .Select(t => t!)
            .ToList();
        INamedTypeSymbol? pool = compilation.GetTypeByMetadataName("ConcurrentFutures.Multiprocessing.Pool");
        INamedTypeSymbol? process = compilation.GetTypeByMetadataName("ConcurrentFutures.Multiprocessing.Process");
        return executors.Count == 0 && pool is null && process is null ? null : new SendingTargets(executors, pool, process);
    }

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
