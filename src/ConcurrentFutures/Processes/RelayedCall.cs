using System.Buffers;

namespace ConcurrentFutures.Processes;

/// <summary>
/// What a worker answered to a relayed call: the result payload, or (not <see cref="Ok"/>) the exception payload, in a
/// pooled buffer its receiver returns once done with it.
/// </summary>
internal readonly record struct RelayedOutcome(bool Ok, RelayedPayload Payload);

/// <summary>
/// A call this process runs in its worker processes on behalf of another (a silo, for a cluster client): already
/// encoded, never run here, completed with the worker's answer as it came — the caller reads it as its own declared
/// types. The pool's own verdicts (the worker died, the call was aborted) fail the future instead.
/// </summary>
internal sealed class RelayedCall : WorkItem<RelayedOutcome>
{
    private static readonly Func<RelayedOutcome> NotHere = static () => throw new InvalidOperationException("A relayed call runs only in a worker process.");

    public RelayedCall()
        : base(new Future<RelayedOutcome>())
    {
    }

    /// <inheritdoc/>
    public override Delegate Function => NotHere;

    /// <inheritdoc/>
    public override bool IsAsync => false;

    /// <summary>Completes the call with the worker's answer (a copy: the payload's memory is reused after this returns).</summary>
    public void Complete(bool ok, ReadOnlySequence<byte> payload) => Complete(ok, PooledPayload.CopyOf(payload));

    /// <summary>Completes the call with the worker's answer as held (a result left in the worker's slab).</summary>
    public void Complete(bool ok, RelayedPayload payload)
    {
        var outcome = new RelayedOutcome(ok, payload);
        if (!TypedFuture.TrySetResult(outcome))
        {
            outcome.Payload.Return(); // cancelled or aborted meanwhile: nobody will read it
        }
    }

    /// <inheritdoc/>
    protected override RelayedOutcome Invoke() => NotHere();

    /// <inheritdoc/>
    protected override Task<RelayedOutcome> InvokeAsync() => Task.FromResult(NotHere());
}
