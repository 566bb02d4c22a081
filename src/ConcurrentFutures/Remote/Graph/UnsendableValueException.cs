using MessagePack;

namespace ConcurrentFutures.Remote.Graph;

/// <summary>
/// Thrown while writing a value when a part of it cannot be copied to another process; carries the part itself so the
/// caller can say where it sits in the value (<see cref="ValuePath"/>). Never leaves the library: the call that
/// received the value turns it into an <see cref="ArgumentException"/> naming the parameter, capture or item.
/// </summary>
internal sealed class UnsendableValueException : MessagePackSerializationException
{
    public UnsendableValueException(string reason, object? offender)
        : base(reason)
    {
        Reason = reason;
        Offender = offender;
    }

    public UnsendableValueException()
        : this("the value cannot be sent", (object?)null)
    {
    }

    public UnsendableValueException(string message)
        : this(message, (object?)null)
    {
    }

    public UnsendableValueException(string message, Exception innerException)
        : base(message, innerException)
    {
        Reason = message;
    }

    /// <summary>Why the part cannot be sent, and what to do instead.</summary>
    public string Reason { get; }

    /// <summary>The object at fault, or null when it is the value itself or unknown.</summary>
    public object? Offender { get; }
}
