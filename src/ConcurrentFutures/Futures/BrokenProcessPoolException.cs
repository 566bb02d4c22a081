namespace ConcurrentFutures;

/// <summary>
/// A worker process died while holding this work (crash, kill, out of memory), or the process pool cannot start
/// workers. Python: <c>BrokenProcessPool</c>; unlike Python, one crash fails only the work that worker held.
/// </summary>
public class BrokenProcessPoolException : BrokenExecutorException
{
    /// <summary>Creates the exception with a default message.</summary>
    public BrokenProcessPoolException()
        : base("A worker process terminated abruptly.")
    {
    }

    /// <summary>Creates the exception with a message saying which worker died and how.</summary>
    /// <param name="message">Which work was lost, and the exit code or signal.</param>
    public BrokenProcessPoolException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    /// <param name="message">Which work was lost, and the exit code or signal.</param>
    /// <param name="innerException">The cause.</param>
    public BrokenProcessPoolException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
