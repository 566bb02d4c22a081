namespace ConcurrentFutures.Orleans;

/// <summary>Why the executor cancelled a call in flight: the call is re-sent, and only a lost silo counts as an attempt.</summary>
internal enum CallLoss
{
    /// <summary>The executor did not end the call.</summary>
    None,

    /// <summary>The silo running the call left the cluster.</summary>
    SiloLost,

    /// <summary>
    /// Another silo left: it may have been the gateway the call (and its answer) went through, and Orleans does not fail
    /// calls whose gateway died, so the call is re-sent without counting an attempt; the work may run twice.
    /// </summary>
    RouteLost,

    /// <summary>
    /// The silo running the call stopped answering the executor's probes (frozen, cut off, overloaded) while
    /// membership may still count it in: the call is re-sent elsewhere without counting an attempt; it may run twice.
    /// </summary>
    SiloUnresponsive,

    /// <summary>
    /// The call has waited a while and its silo, which answers, says it never got it or answered it long ago: it was
    /// lost on its way through Orleans (a gateway cut off and back, a connection in TCP back-off). Re-sent under a fresh
    /// slot key without counting an attempt, up to the reroute limit.
    /// </summary>
    Undelivered,
}
