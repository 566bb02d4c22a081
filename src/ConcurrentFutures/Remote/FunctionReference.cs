using System.Buffers;
using System.Collections.Concurrent;
using System.Reflection;
using ConcurrentFutures.Remote.Graph;
using MessagePack;

namespace ConcurrentFutures.Remote;

/// <summary>
/// A delegate made sendable: which method to call (assembly, type, metadata token), how its target is rebuilt, and
/// how its arguments and result are typed. One instance per (method, target type), checked once and cached; the
/// per-call work is only copying argument and capture values.
/// </summary>
internal sealed class FunctionReference
{
    private static readonly ConcurrentDictionary<(MethodInfo, Type?), FunctionReference> s_cache = new();

    /// <summary>Functions relayed by a silo to its worker processes, by their definition (as sent by the client).</summary>
    private static readonly ConcurrentDictionary<byte[], FunctionReference> s_relayed = new(DefinitionComparer.Instance);
    private static int s_nextId;

    private FunctionReference(MethodInfo method, Type? targetType)
    {
        Id = Interlocked.Increment(ref s_nextId);
        Method = method;
        TargetType = targetType;
        Closure = targetType is not null && ClosureShape.IsClosureType(targetType) ? ClosureShape.For(method, targetType) : null;
        ParameterTypes = Array.ConvertAll(method.GetParameters(), p => p.ParameterType);
        ReturnsTask = IsAwaitable(method.ReturnType);
        _argumentsShareAGraph = PayloadSerializer.CanHoldObjects(ParameterTypes);
        Definition = FunctionDefinition.Write(method, targetType, Closure is not null);
    }

    /// <summary>
    /// A function this process only relays (a silo running a client's work in its worker processes): known by its
    /// definition, with the path of the client's assembly removed, so a worker resolves it from the silo's own
    /// deployment and never loads code from a path a client names. Only <see cref="Id"/>, <see cref="Definition"/> and
    /// <see cref="Describe()"/> are meaningful.
    /// </summary>
    private FunctionReference(byte[] definition, string description)
    {
        Id = Interlocked.Increment(ref s_nextId);
        Method = null!;
        ParameterTypes = [];
        Definition = WithoutLocation(definition);
        _description = description;
    }

    /// <summary>The name of a relayed function, for messages; null for a local one (named from its method).</summary>
    private readonly string? _description;

    /// <summary>A number unique in this process; workers learn the definition once and are then sent only the id.</summary>
    public int Id { get; }

    public MethodInfo Method { get; }

    /// <summary>The delegate target's type: null for static methods, a closure class, or a sendable value type.</summary>
    public Type? TargetType { get; }

    /// <summary>Set when the target is a compiler-generated closure.</summary>
    public ClosureShape? Closure { get; }

    public Type[] ParameterTypes { get; }

    /// <summary>True when the arguments are written as one graph (some parameter can hold objects).</summary>
    private readonly bool _argumentsShareAGraph;

    /// <summary>True when the method returns a Task, Task&lt;T&gt;, ValueTask or ValueTask&lt;T&gt;.</summary>
    public bool ReturnsTask { get; }

    /// <summary>The wire form the worker resolves (see <see cref="FunctionResolver"/>).</summary>
    public byte[] Definition { get; }

    /// <summary>Gets the reference for <paramref name="function"/>, checking that it can be sent.</summary>
    /// <exception cref="ArgumentException">The delegate, its target type, a parameter or the result cannot be sent; the message names it.</exception>
    public static FunctionReference For(Delegate function)
    {
        MethodInfo method = function.Method;
        object? target = function.Target;
        if (function.HasSingleTarget is false)
        {
            throw NotSendable("A multicast delegate (several methods combined with +=) cannot be sent to another process; submit one method.");
        }

        if (s_cache.TryGetValue((method, target?.GetType()), out FunctionReference? cached))
        {
            return cached;
        }

        Validate(method, target);
        var reference = new FunctionReference(method, target?.GetType());
        return s_cache.GetOrAdd((method, target?.GetType()), reference);
    }

    /// <summary>
    /// The reference for one of the library's own methods, known to be sendable: not checked, so a worker's rehearsal
    /// does not load what the check looks at (the types it refuses: sockets, processes, threads…).
    /// </summary>
    internal static FunctionReference OfTheLibrary(Delegate function) =>
        new(function.Method, function.Target?.GetType());

    /// <summary>
    /// Gets the reference for submitted work. Async work given to Submit or Map is refused: its result would be a task
    /// object of the worker's process; SubmitAsync runs it to completion in the worker and delivers the task's result.
    /// </summary>
    /// <exception cref="ArgumentException">The work cannot be sent, or is async work not given to SubmitAsync.</exception>
    public static FunctionReference For(WorkItem work)
    {
        FunctionReference function = For(work.Function);
        if (function.ReturnsTask && !work.IsAsync)
        {
            throw NotSendable($"{function.Describe()} returns a {Sendability.Describe(function.Method.ReturnType)}, and a task cannot be sent back from another process; use SubmitAsync, which runs it to completion in the worker and delivers its result (for a ValueTask, submit () => fn().AsTask()).");
        }

        return function;
    }

    /// <summary>The reference for a function a silo relays to its worker processes (see the private constructor).</summary>
    /// <exception cref="MessagePackSerializationException">The definition is malformed.</exception>
    public static FunctionReference ForRelayed(byte[] definition, string description) =>
        s_relayed.GetOrAdd(definition, static (key, description) => new FunctionReference(key, description), description);

    /// <summary>Writes the delegate's target: nil, closure captures, or a value object.</summary>
    /// <exception cref="ArgumentException">A captured value cannot be sent.</exception>
    public void WriteTarget(ref MessagePackWriter writer, object? target)
    {
        if (target is null || TargetType is null)
        {
            writer.WriteNil();
        }
        else if (Closure is not null)
        {
            Closure.Write(ref writer, target);
        }
        else
        {
            try
            {
                PayloadSerializer.Write(ref writer, TargetType, target);
            }
            catch (Exception exception) when (PayloadSerializer.Unsendable(exception) is { } failure)
            {
                throw NotSendable($"{Describe()} is an instance method, and its target cannot be sent to another process: {ValuePath.Explain("this", target, failure)}.");
            }
        }
    }

    /// <summary>Writes one call's arguments as their declared parameter types.</summary>
    /// <param name="writer">Where the arguments go.</param>
    /// <param name="arguments">The call's arguments.</param>
    /// <param name="item">For an item of a Map, its position in the source (the exception then names <c>source</c>).</param>
    /// <exception cref="ArgumentException">An argument's value cannot be sent; the message names the parameter and the path inside it.</exception>
    public void WriteArguments(ref MessagePackWriter writer, object?[] arguments, long item = -1)
    {
        writer.WriteArrayHeader(arguments.Length);
        using GraphSession.Scope graph = _argumentsShareAGraph ? GraphSession.BeginShared() : default; // one graph: an object given twice arrives once
        for (int i = 0; i < arguments.Length; i++)
        {
            try
            {
                PayloadSerializer.Write(ref writer, ParameterTypes[i], arguments[i]);
            }
            catch (Exception exception) when (PayloadSerializer.Unsendable(exception) is { } failure)
            {
                string name = Method.GetParameters()[i].Name ?? $"arg{i + 1}";
                string what = item >= 0 ? $"Item {item} of the source" : $"Argument '{name}'";
                throw NotSendable($"{what} of {Describe()} cannot be sent to another process: {ValuePath.Explain(name, arguments[i], failure)}.", item >= 0 ? "source" : $"arg{i + 1}");
            }
        }
    }

    /// <summary>
    /// The exception for work that cannot be sent. Its parameter name is that of the public Submit/Map argument the
    /// caller passed (<c>fn</c>, <c>arg1</c>…), not of the internal method that detected the problem.
    /// </summary>
#pragma warning disable CA2208 // The parameter names are those of the public API the user called.
    public static ArgumentException NotSendable(string message, string paramName = "fn") => new(message, paramName);
#pragma warning restore CA2208

    /// <summary>"Type.Method", for messages.</summary>
    public string Describe() => _description ?? Describe(Method);

    /// <summary>"Type.Method", or for a lambda "the lambda in Type.Method" (not the compiler's &lt;&gt;c.&lt;Main&gt;b__0_2).</summary>
    public static string Describe(MethodInfo method)
    {
        Type? type = method.DeclaringType;
        if (!method.Name.StartsWith('<'))
        {
            return $"{type?.Name}.{method.Name}";
        }

        while (type is not null && ClosureShape.IsClosureType(type) && type.DeclaringType is not null)
        {
            type = type.DeclaringType;
        }

        int end = method.Name.IndexOf('>', StringComparison.Ordinal);
        string outer = end > 1 ? method.Name[1..end].TrimStart('<') : method.Name;
        return $"the lambda in {type?.Name}.{(outer == "Main" && type?.Name == "Program" ? "Main (top-level statements)" : outer)}";
    }

    private static bool IsAwaitable(Type type) =>
        typeof(Task).IsAssignableFrom(type) || type == typeof(ValueTask) || (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(ValueTask<>));

    /// <summary>The type of the value the work produces: the T of a Task&lt;T&gt; or ValueTask&lt;T&gt;, void for a Task, else the return type.</summary>
    private static Type ResultTypeOf(Type returnType) =>
        returnType == typeof(Task) || returnType == typeof(ValueTask) ? typeof(void)
        : returnType.IsGenericType && (returnType.GetGenericTypeDefinition() == typeof(Task<>) || returnType.GetGenericTypeDefinition() == typeof(ValueTask<>)) ? returnType.GetGenericArguments()[0]
        : returnType;

    private static void Validate(MethodInfo method, object? target)
    {
        string name = Describe(method);
        if (method is not { DeclaringType: { } declaringType } || method.GetType().Name.Contains("Dynamic", StringComparison.Ordinal))
        {
            throw NotSendable($"{name} is a dynamic method (e.g. a compiled expression); only methods of assemblies on disk can run in another process.");
        }

        if (declaringType.Assembly.IsDynamic || string.IsNullOrEmpty(declaringType.Assembly.Location))
        {
            throw NotSendable($"{name} is defined in a dynamic or in-memory assembly, which a worker process cannot load.");
        }

        if (method.IsStatic && target is not null)
        {
            throw NotSendable($"{name} is a static method bound to its first argument (an extension method group); submit a lambda that calls it instead.");
        }

        if (target is not null)
        {
            Type targetType = target.GetType();
            string? reason = ClosureShape.IsClosureType(targetType)
                ? ClosureShape.For(method, targetType).CheckTypes()
                : Sendability.Check(targetType) is { } why
                    ? $"{name} is an instance method, and its target 'this' ({Sendability.Describe(targetType)}) cannot be sent to another process: {why}. Use a static method or a lambda that captures only serializable values."
                    : null;
            if (reason is not null)
            {
                throw NotSendable(reason);
            }
        }

        foreach (ParameterInfo parameter in method.GetParameters())
        {
            if (parameter.ParameterType.IsByRef || parameter.IsOut)
            {
                throw NotSendable($"Parameter '{parameter.Name}' of {name} is ref/out, which cannot cross a process boundary.");
            }

            if (Sendability.Check(parameter.ParameterType) is { } reason)
            {
                throw NotSendable($"Parameter '{parameter.Name}' of {name} cannot be sent to another process: {reason}.");
            }
        }

        Type resultType = ResultTypeOf(method.ReturnType);
        if (resultType != typeof(void) && Sendability.Check(resultType) is { } resultReason)
        {
            throw NotSendable($"The result of {name} cannot be sent back from another process: {resultReason}.");
        }
    }

    /// <summary>The definition with an empty assembly path (its first element), everything else as sent.</summary>
    private static byte[] WithoutLocation(byte[] definition)
    {
        var reader = new MessagePackReader(definition);
        int count = reader.ReadArrayHeader();
        if (count < 1)
        {
            throw new MessagePackSerializationException("A function definition is empty.");
        }

        reader.Skip(); // the client's assembly path
        var buffer = new ArrayBufferWriter<byte>(definition.Length);
        var writer = new MessagePackWriter(buffer);
        writer.WriteArrayHeader(count);
        writer.Write(string.Empty);
        writer.WriteRaw(definition.AsSpan((int)reader.Consumed));
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }
}
