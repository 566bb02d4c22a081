namespace ConcurrentFutures.Processes;

/// <summary>Where a worker is in its life, as the pool sees it.</summary>
internal enum WorkerState
{
    /// <summary>Process started (or starting); not connected, or its initializer has not finished.</summary>
    Starting,

    /// <summary>Connected and initialized: takes work.</summary>
    Ready,

    /// <summary>Takes no new work; is sent Stop once it holds none (task quota, memory limit, idle, shutdown).</summary>
    Retiring,

    /// <summary>Exited; its tasks have been failed or requeued.</summary>
    Dead,
}
