using System.Buffers;
using System.Collections.Concurrent;
using System.Reflection;
using MessagePack;

namespace ConcurrentFutures.Remote;

/// <summary>
/// Completes a future from a result payload, reading it as the future's own result type (the type the caller
/// declared, never a type named by the worker). One compiled completer per result type.
/// </summary>
internal static class ResultCompleter
{
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
