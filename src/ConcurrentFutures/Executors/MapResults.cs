using System.Runtime.CompilerServices;

namespace ConcurrentFutures;

/// <summary>
/// The results of one Map call: dispatches in input order, submitted all at once or paced by a buffer size, each a
/// single call or a chunk. Single-use, like Python's generator. Not thread-safe: one consumer enumerates it.
/// </summary>
internal sealed class MapResults<TResult> : IEnumerable<TResult>, IEnumerator<TResult>
{
    /// <summary>Submitted dispatches whose results have not been yielded, oldest first.</summary>
    private readonly Queue<Future> _inFlight = new();

    /// <summary>True when each dispatch is a chunk (<c>Future&lt;TResult[]&gt;</c>) rather than one call.</summary>
    private readonly bool _chunked;

    private readonly Deadline _deadline;
    private readonly TimeSpan? _timeout;

    /// <summary>The caller's token: it also cancels each dispatch not yet started (see Executor.Enqueue).</summary>
    private readonly CancellationToken _cancellationToken;

    /// <summary>Submits the next dispatch when advanced; null once the source is exhausted or the map was stopped.</summary>
    private IEnumerator<Future>? _dispatches;

    /// <summary>Set once a result was yielded under a buffer, so the next step submits one more dispatch.</summary>
    private bool _refillOwed;

    private TResult[]? _chunk;
    private int _chunkIndex;
    private TResult _current = default!;
    private bool _enumerated;

    /// <summary>
    /// Submits the first dispatches (all of them without a buffer size), as Python's map does at the call. MapAsync's
    /// token, cancelled meanwhile, stops that: what was submitted is cancelled and the call throws
    /// <see cref="OperationCanceledException"/>.
    /// </summary>
    public MapResults(IEnumerable<Future> dispatches, bool chunked, int? bufferSize, Deadline deadline, TimeSpan? timeout, CancellationToken cancellationToken)
    {
        (_chunked, _deadline, _timeout, _cancellationToken) = (chunked, deadline, timeout, cancellationToken);
        _dispatches = dispatches.GetEnumerator();
        try
        {
            int limit = bufferSize ?? int.MaxValue;
            for (int i = 0; i < limit && SubmitNext(); i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }
        }
        catch
        {
            Stop();
            throw;
        }
    }

    /// <inheritdoc/>
    public TResult Current => _current;

    object? System.Collections.IEnumerator.Current => _current;

    /// <inheritdoc/>
    public IEnumerator<TResult> GetEnumerator()
    {
        if (_enumerated)
        {
            throw new InvalidOperationException("The results of Map can be enumerated only once; store them (e.g. with ToList()) to read them again.");
        }

        _enumerated = true;
        return this;
    }

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

    /// <inheritdoc/>
    public bool MoveNext()
    {
        if (TryTakeFromChunk())
        {
            return true;
        }

        if (!TryNextDispatch(out Future? future))
        {
            return false;
        }

        try
        {
            if (!Wait(future))
            {
                throw TimedOut();
            }

            TakeResult(future);
        }
        catch
        {
            Stop();
            throw;
        }

        return _chunked ? TryTakeFromChunk() || MoveNext() : true;
    }

    /// <summary>Async enumeration for MapAsync.</summary>
    public async IAsyncEnumerable<TResult> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        _enumerated = true;
        try
        {
            while (TryNextDispatch(out Future? future))
            {
                try
                {
                    await future.AsTask().WaitAsync(_deadline.Remaining, cancellationToken).ConfigureAwait(false);
                }
                catch (TimeoutException) when (!future.IsDone)
                {
                    throw TimedOut();
                }
                catch (Exception) when (future.IsDone)
                {
                    // its own outcome: thrown by TakeResult with the work's exception (not wrapped, as the Task would)
                }

                cancellationToken.ThrowIfCancellationRequested();
                TakeResult(future);
                if (!_chunked)
                {
                    yield return _current;
                    continue;
                }

                while (TryTakeFromChunk())
                {
                    yield return _current;
                }
            }
        }
        finally
        {
            Stop();
        }
    }

    /// <inheritdoc/>
    public void Reset() => throw new NotSupportedException("Map results cannot be reset.");

    /// <inheritdoc/>
    public void Dispose() => Stop();

    private bool SubmitNext()
    {
        if (_dispatches is null)
        {
            return false;
        }

        if (!_dispatches.MoveNext())
        {
            _dispatches.Dispose();
            _dispatches = null;
            return false;
        }

        _inFlight.Enqueue(_dispatches.Current);
        return true;
    }

    /// <summary>Takes the oldest dispatch, first topping the buffer up by one for the result yielded last time.</summary>
    private bool TryNextDispatch([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Future? future)
    {
        if (_refillOwed)
        {
            _refillOwed = false;
            try
            {
                SubmitNext();
            }
            catch
            {
                Stop();
                throw;
            }
        }

        if (!_inFlight.TryDequeue(out future))
        {
            return false;
        }

        _refillOwed = _dispatches is not null;
        return true;
    }

    /// <summary>
    /// Waits for one dispatch until the deadline; false if it passed. The caller's token ends the wait with
    /// <see cref="OperationCanceledException"/> (a token is waited on through the future's task, which only then is created).
    /// </summary>
    private bool Wait(Future future)
    {
        _cancellationToken.ThrowIfCancellationRequested();
        if (!_cancellationToken.CanBeCanceled || future.IsDone)
        {
            return future.TryWait(_deadline);
        }

        bool done;
        try
        {
            done = future.AsTask().Wait(_deadline.RemainingMilliseconds, _cancellationToken) || future.IsDone;
        }
        catch (AggregateException) when (future.IsDone)
        {
            done = true; // failed or cancelled: TakeResult throws its own exception
        }

        _cancellationToken.ThrowIfCancellationRequested(); // its future may have been cancelled by the token itself
        return done;
    }

    private TimeoutException TimedOut() => new($"Map did not finish within {_timeout}: {_inFlight.Count + 1} dispatches were still unfinished.");

    /// <summary>Reads a done dispatch: throws its exception, or stores its value (or chunk) for yielding.</summary>
    private void TakeResult(Future future)
    {
        if (_chunked)
        {
            _chunk = ((Future<TResult[]>)future).Result();
            _chunkIndex = 0;
        }
        else
        {
            _current = ((Future<TResult>)future).Result();
        }
    }

    private bool TryTakeFromChunk()
    {
        if (_chunk is null || _chunkIndex >= _chunk.Length)
        {
            return false;
        }

        _current = _chunk[_chunkIndex++];
        return true;
    }

    /// <summary>Stops the map: no more submissions, and work not yet started is cancelled.</summary>
    private void Stop()
    {
        _dispatches?.Dispose();
        _dispatches = null;
        while (_inFlight.TryDequeue(out Future? future))
        {
            future.Cancel();
        }
    }
}
