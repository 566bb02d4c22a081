using System.Reflection;
using MessagePack;

namespace ConcurrentFutures.Remote;

/// <summary>A function ready to run in this process: the method, how to rebuild its target, and typed I/O.</summary>
internal sealed class ResolvedFunction
{
    private readonly MethodInvoker _invoker;
    private readonly Type? _targetType;
    private readonly ClosureShape? _closure;
    private readonly PropertyInfo? _taskResult;

    /// <summary>True when the arguments were written as one graph (decided as the sender does, from the parameter types).</summary>
    private readonly bool _argumentsShareAGraph;

    public ResolvedFunction(MethodInfo method, Type? targetType, ClosureShape? closure)
    {
        Method = method;
        _invoker = MethodInvoker.Create(method);
        _targetType = targetType;
        _closure = closure;
        ParameterTypes = Array.ConvertAll(method.GetParameters(), p => p.ParameterType);
        _argumentsShareAGraph = PayloadSerializer.CanHoldObjects(ParameterTypes);
        Type returnType = method.ReturnType;
        IsAsync = typeof(Task).IsAssignableFrom(returnType);
        _taskResult = IsAsync && returnType.IsGenericType ? returnType.GetProperty(nameof(Task<int>.Result)) : null;
        ResultType = IsAsync ? (_taskResult?.PropertyType ?? typeof(void)) : returnType;
    }

    public MethodInfo Method { get; }

    public Type[] ParameterTypes { get; }

    public Type ResultType { get; }

    public bool IsAsync { get; }

    public object? ReadTarget(ref MessagePackReader reader)
    {
        if (reader.TryReadNil())
        {
            return null;
        }

        return _closure is not null ? _closure.Read(ref reader) : PayloadSerializer.Read(ref reader, _targetType!);
    }

    public object?[] ReadArguments(ref MessagePackReader reader)
    {
        int count = reader.ReadArrayHeader();
        if (count != ParameterTypes.Length)
        {
            throw new MessagePackSerializationException($"{Method.Name} takes {ParameterTypes.Length} arguments but {count} were sent.");
        }

        var arguments = new object?[count];
        using Graph.GraphSession.Scope graph = _argumentsShareAGraph ? Graph.GraphSession.BeginShared() : default; // as the arguments were written
        for (int i = 0; i < count; i++)
        {
            arguments[i] = PayloadSerializer.Read(ref reader, ParameterTypes[i]);
        }

        return arguments;
    }

    /// <summary>Calls the method and, for async methods, waits for the task; exceptions are the method's own.</summary>
    public object? Invoke(object? target, object?[] arguments)
    {
        object? result;
        try
        {
            result = _invoker.Invoke(target, arguments.AsSpan());
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(e.InnerException);
            throw;
        }

        if (!IsAsync)
        {
            return result;
        }

        var task = (Task)result!;
        task.GetAwaiter().GetResult();
        return _taskResult?.GetValue(task);
    }
}
