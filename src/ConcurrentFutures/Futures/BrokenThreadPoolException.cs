namespace ConcurrentFutures;

/// <summary>A <see cref="ThreadPoolExecutor"/> is broken (a thread initializer failed). Python: <c>BrokenThreadPool</c>.</summary>
public class BrokenThreadPoolException : BrokenExecutorException
{
    /// <summary>Creates the exception with a default message.</summary>
    public BrokenThreadPoolException()
        : base("A thread initializer failed; the thread pool is not usable anymore.")
    {
    }

    /// <summary>Creates the exception with a message saying what broke.</summary>
    /// <param name="message">What broke the pool.</param>
    public BrokenThreadPoolException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    /// <param name="message">What broke the pool.</param>
    /// <param name="innerException">The cause, e.g. the initializer's exception.</param>
    public BrokenThreadPoolException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
