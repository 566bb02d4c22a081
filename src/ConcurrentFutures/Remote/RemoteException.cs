namespace ConcurrentFutures;

/// <summary>
/// An exception thrown by work in another process whose type could not be rebuilt here (it is not loaded in this
/// process, or has no constructor taking a message). The remote stack trace is part of <see cref="Exception.ToString"/>.
/// </summary>
public sealed class RemoteException : Exception
{
    /// <summary>Creates an empty remote exception.</summary>
    public RemoteException()
        : this("An exception was thrown in another process.")
    {
    }

    /// <summary>Creates a remote exception with a message.</summary>
    /// <param name="message">The remote exception's message.</param>
    public RemoteException(string message)
        : this(message, innerException: null)
    {
    }

    /// <summary>Creates a remote exception with a message and the remote inner exception.</summary>
    /// <param name="message">The remote exception's message.</param>
    /// <param name="innerException">The remote exception's inner exception, rebuilt.</param>
    public RemoteException(string message, Exception? innerException)
        : this(typeof(Exception).FullName!, message, remoteStackTrace: null, innerException)
    {
    }

    /// <summary>Creates a remote exception describing an exception of another process.</summary>
    /// <param name="remoteTypeName">The full name of the exception type thrown remotely.</param>
    /// <param name="message">Its message.</param>
    /// <param name="remoteStackTrace">Its stack trace in the remote process.</param>
    /// <param name="innerException">Its inner exception, rebuilt.</param>
    public RemoteException(string remoteTypeName, string message, string? remoteStackTrace, Exception? innerException)
        : base(message, innerException)
    {
        RemoteTypeName = remoteTypeName;
        RemoteStackTrace = remoteStackTrace;
    }

    /// <summary>The full name of the exception type thrown in the other process.</summary>
    public string RemoteTypeName { get; }

    /// <summary>The stack trace of the exception in the other process.</summary>
    public string? RemoteStackTrace { get; }

    /// <inheritdoc/>
    public override string ToString() => $"{RemoteTypeName} (in another process): {base.ToString()}";
}
