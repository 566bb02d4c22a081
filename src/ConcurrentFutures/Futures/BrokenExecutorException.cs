namespace ConcurrentFutures;

/// <summary>An executor can no longer run the work it was given. Python: <c>concurrent.futures.BrokenExecutor</c>.</summary>
public class BrokenExecutorException : Exception
{
    /// <summary>Creates the exception with a default message.</summary>
    public BrokenExecutorException()
        : base("The executor is broken and cannot run work.")
    {
    }

    /// <summary>Creates the exception with a message saying what broke.</summary>
    /// <param name="message">What broke the executor.</param>
    public BrokenExecutorException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the exception that broke the executor.</summary>
    /// <param name="message">What broke the executor.</param>
    /// <param name="innerException">The cause.</param>
    public BrokenExecutorException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
