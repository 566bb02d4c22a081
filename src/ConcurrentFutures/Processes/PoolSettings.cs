using ConcurrentFutures.Remote;
using Microsoft.Extensions.Logging;

namespace ConcurrentFutures.Processes;

/// <summary>Validated, immutable settings of one pool, taken from <see cref="ProcessPoolOptions"/> at construction.</summary>
internal sealed record PoolSettings(
    int MaxWorkers,
    int? MaxTasksPerChild,
    InitializerCall? Initializer,
    TimeSpan? TaskTimeout,
    TimeSpan? IdleWorkerTimeout,
    long? MaxWorkerMemoryBytes,
    long? MaxWorkerHeapBytes,
    ILogger Logger,
    bool MayTakePrestartedWorkers = true);

/// <summary>The initializer, serialized once and sent to every new worker.</summary>
internal sealed record InitializerCall(FunctionReference Function, byte[] Target, byte[] Arguments);
