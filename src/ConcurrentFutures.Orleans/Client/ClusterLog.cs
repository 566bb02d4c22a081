using Microsoft.Extensions.Logging;
using Orleans.Runtime;

namespace ConcurrentFutures.Orleans;

/// <summary>What the cluster executor logs; event ids 200–219.</summary>
internal static partial class ClusterLog
{
    [LoggerMessage(EventId = 200, EventName = "SiloJoined", Level = LogLevel.Information, Message = "Silo {Silo} is available for work.")]
    public static partial void SiloJoined(ILogger logger, SiloAddress silo);

    [LoggerMessage(EventId = 201, EventName = "SiloLost", Level = LogLevel.Warning, Message = "Silo {Silo} left the cluster; {InFlight} calls it held are re-sent.")]
    public static partial void SiloLost(ILogger logger, SiloAddress silo, int inFlight);

    [LoggerMessage(EventId = 202, EventName = "CallRetried", Level = LogLevel.Warning, Message = "A call of {Function} to silo {Silo} was lost ({Reason}); attempt {Attempt} of {MaxAttempts}.")]
    public static partial void CallRetried(ILogger logger, string? function, SiloAddress silo, string reason, int attempt, int maxAttempts);

    [LoggerMessage(EventId = 203, EventName = "CallFailed", Level = LogLevel.Error, Message = "{Function} failed after {Attempts} attempts: {Reason}")]
    public static partial void CallFailed(ILogger logger, string? function, int attempts, string reason);

    [LoggerMessage(EventId = 204, EventName = "MembershipUnavailable", Level = LogLevel.Warning, Message = "Cluster membership could not be read: {Reason}")]
    public static partial void MembershipUnavailable(ILogger logger, string reason);

    [LoggerMessage(EventId = 206, EventName = "SiloUnresponsive", Level = LogLevel.Warning, Message = "Silo {Silo} has not answered for {Silence}; it gets no work until it does, and the {InFlight} calls it held are re-sent elsewhere.")]
    public static partial void SiloUnresponsive(ILogger logger, SiloAddress silo, TimeSpan silence, int inFlight);

    [LoggerMessage(EventId = 207, EventName = "SiloAnswersAgain", Level = LogLevel.Information, Message = "Silo {Silo} answers again and gets work again.")]
    public static partial void SiloAnswersAgain(ILogger logger, SiloAddress silo);

    [LoggerMessage(EventId = 205, EventName = "ClusterUnavailable", Level = LogLevel.Error, Message = "No silo was reachable for {Timeout}; {Count} waiting work items failed.")]
    public static partial void ClusterUnavailable(ILogger logger, TimeSpan timeout, int count);
}
