using System.Runtime.Versioning;
using ConcurrentFutures.Platform;
using MessagePack;

namespace ConcurrentFutures.Multiprocessing;

/// <summary>
/// A flag shared by processes that others can wait for. Python: <c>multiprocessing.Event</c>. Passed to a child, it
/// is the same event.
/// </summary>
[MessagePackFormatter(typeof(NamedHandleFormatter<ProcessEvent>))]
[SupportedOSPlatform("linux")]
public sealed class ProcessEvent : IDisposable, INamedHandle<ProcessEvent>
{
    private readonly SharedCounter _flag;

    /// <summary>Creates an event, not set.</summary>
    public ProcessEvent()
    {
        PlatformSupport.ThrowIfUnsupported(nameof(ProcessEvent));
        _flag = new SharedCounter(0);
    }

    private ProcessEvent(SharedCounter flag) => _flag = flag;

    /// <summary>True once <see cref="Set"/> was called (and not cleared since). Python: <c>is_set()</c>.</summary>
    public bool IsSet => Volatile.Read(ref _flag.Value) != 0;

    string INamedHandle<ProcessEvent>.Name => _flag.Name;

    /// <summary>Sets the flag; every waiter (in any process) wakes up. Python: <c>set()</c>.</summary>
    public void Set()
    {
        Interlocked.Exchange(ref _flag.Value, 1);
        _flag.Changed();
    }

    /// <summary>Clears the flag. Python: <c>clear()</c>.</summary>
    public void Clear() => Interlocked.Exchange(ref _flag.Value, 0);

    /// <summary>Waits until the flag is set. Python: <c>wait(timeout)</c>.</summary>
    /// <param name="timeout">How long to wait; null waits forever.</param>
    /// <returns>True if the flag is set, false on timeout.</returns>
    public bool Wait(TimeSpan? timeout = null) => _flag.WaitUntil(() => IsSet, timeout);

    /// <summary>Async twin of <see cref="Wait"/>: completes once the flag is set, without blocking a thread.</summary>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>A task that completes when the flag is set.</returns>
    public Task WaitAsync(CancellationToken cancellationToken = default) => SharedCounter.WaitUntilAsync(() => IsSet, cancellationToken);

    /// <summary>Unmaps the event here; the creating process also removes it.</summary>
    public void Dispose() => _flag.Dispose();

    static ProcessEvent INamedHandle<ProcessEvent>.Open(string name) => new(SharedCounter.Open(name));
}

