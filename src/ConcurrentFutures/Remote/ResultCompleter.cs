using System.Buffers;
using System.Collections.Concurrent;
using System.Reflection;
using MessagePack;

namespace ConcurrentFutures.Remote;

/// <summary>
/// Completes a future from a call's answer, the one way both remote executors do: a result payload is read as the
/// future's own result type (the type the caller declared, never a type named by the worker; one compiled completer
/// per result type), an exception payload is rebuilt (<see cref="ExceptionPayload"/>).
/// </summary>
internal static class ResultCompleter
{
    /// <summary>
    /// Completes <paramref name="task"/>'s future with the answer to its call: the result when <paramref name="ok"/>, else
    /// the exception the work threw. An answer that cannot be read fails the future, saying so.
    /// </summary>
    public static void Complete(DispatchedTask task, bool ok, ReadOnlySequence<byte> payload)
    {
        try
        {
            if (ok)
            {
                CompleteFrom(task.Future, payload);
            }
            else
            {
                task.Fail(ExceptionPayload.FromBytes(payload));
            }
        }
#pragma warning disable CA1031 // An answer that cannot be read fails its own future, and nothing else.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            task.Fail(new InvalidDataException($"The {(ok ? "result" : "exception")} of {task.Description} could not be read: {exception.Message}", exception));
        }
    }

    /// <summary>By the future's own type (<c>Future&lt;T&gt;</c>), so a result costs one lookup and no reflection.</summary>
    private static readonly ConcurrentDictionary<Type, Action<Future, ReadOnlySequence<byte>>> s_completers = new();
    private static readonly MethodInfo s_complete = typeof(ResultCompleter).GetMethod(nameof(Complete), BindingFlags.NonPublic | BindingFlags.Static)!;

    /// <summary>Completes <paramref name="future"/> (a <c>Future&lt;T&gt;</c>) with the value in <paramref name="payload"/>.</summary>
    public static void CompleteFrom(Future future, ReadOnlySequence<byte> payload)
    {
        s_completers.GetOrAdd(future.GetType(), static futureType =>
            s_complete.MakeGenericMethod(futureType.GetGenericArguments()[0]).CreateDelegate<Action<Future, ReadOnlySequence<byte>>>())(future, payload);
    }

    private static void Complete<T>(Future future, ReadOnlySequence<byte> payload)
    {
        var typed = (Future<T>)future;
        if (typeof(T) == typeof(VoidResult))
        {
            typed.TrySetResult(default!);
            return;
        }

        T value;
        try
        {
            value = PayloadSerializer.Read<T>(payload);
        }
        catch (MessagePackSerializationException exception)
        {
            typed.TrySetException(new InvalidDataException($"The worker's result could not be read as {Sendability.Describe(typeof(T))}: {exception.Message}", exception));
            return;
        }

        typed.TrySetResult(value);
    }
}
