using System.Runtime.Versioning;
using ConcurrentFutures.Platform;
using ConcurrentFutures.Processes;
using ConcurrentFutures.Remote;

namespace ConcurrentFutures.Multiprocessing;

/// <summary>
/// A child OS process running <c>target(args)</c>. Python: <c>multiprocessing.Process</c>. The same sending rules as
/// <see cref="ProcessPoolExecutor"/> apply (checked in the constructor); a <see cref="ProcessQueue{T}"/> passed as an
/// argument gives the child a handle to the same queue. The child never outlives this process.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class Process : IDisposable
{
    private static int s_counter;

    private readonly Delegate _target;
    private readonly object?[] _args;
    private readonly FunctionReference _function;
    private readonly Lock _lock = new();
    private System.Diagnostics.Process? _process;

    /// <summary>Set while a start is under way (written under <see cref="_lock"/>).</summary>
    private bool _starting;

    /// <summary>
    /// Prepares a process that will run <paramref name="target"/> with <paramref name="args"/> once started: the
    /// Python-shaped form, checked when called (not compiled); <see cref="Create{T1}(Action{T1}, T1)"/> and its
    /// siblings are the typed form.
    /// </summary>
    /// <param name="target">A static method or a lambda whose captures are serializable.</param>
    /// <param name="args">Its arguments, matching its parameters.</param>
    /// <exception cref="ArgumentNullException"><paramref name="target"/> is null.</exception>
    /// <exception cref="ArgumentException">The target or an argument cannot be sent to another process, or the argument count is wrong.</exception>
    public Process(Delegate target, params object?[] args)
    {
        PlatformSupport.ThrowIfUnsupported(nameof(Process));
        ArgumentNullException.ThrowIfNull(target);
        _args = args ?? [];
        _function = FunctionReference.For(target);
        if (_function.ParameterTypes.Length != _args.Length)
        {
            throw new ArgumentException($"{_function.Describe()} takes {_function.ParameterTypes.Length} arguments but {_args.Length} were given.", nameof(args));
        }

        // Every value is copied once here, so one that cannot be sent is refused by the call that received it; the
        // copy the child reads is made again at Start (as Python pickles at start()).
        _ = CallEncoder.EncodeTarget(_function, target);
        _ = CallEncoder.SerializeToScratch(static (ref MessagePack.MessagePackWriter w, (FunctionReference F, object?[] A) s) => s.F.WriteArguments(ref w, s.A), (_function, _args));
        _target = target;
        Name = $"Process-{Interlocked.Increment(ref s_counter)}";
    }

    /// <summary>
    /// Prepares a process that will run <c>target()</c>: the typed form of
    /// <see cref="Process(Delegate, object[])"/>, so a wrong argument is a compile error. Python: <c>Process(target=, args=)</c>.
    /// </summary>
    /// <param name="target">A static method or a lambda whose captures can be sent to another process.</param>
    /// <returns>The process, not started yet.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="target"/> is null.</exception>
    /// <exception cref="ArgumentException">The target or an argument cannot be sent to another process.</exception>
    public static Process Create(Action target) =>
        new(target, []);

    /// <summary>
    /// Prepares a process that will run <c>target(arg1)</c>: the typed form of
    /// <see cref="Process(Delegate, object[])"/>, so a wrong argument is a compile error. Python: <c>Process(target=, args=)</c>.
    /// </summary>
    /// <typeparam name="T1">The argument type.</typeparam>
    /// <param name="target">A static method or a lambda whose captures can be sent to another process.</param>
    /// <param name="arg1">Its argument.</param>
    /// <returns>The process, not started yet.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="target"/> is null.</exception>
    /// <exception cref="ArgumentException">The target or an argument cannot be sent to another process.</exception>
    public static Process Create<T1>(Action<T1> target, T1 arg1) =>
        new(target, [arg1]);

    /// <summary>
    /// Prepares a process that will run <c>target(arg1, arg2)</c>: the typed form of
    /// <see cref="Process(Delegate, object[])"/>, so a wrong argument is a compile error. Python: <c>Process(target=, args=)</c>.
    /// </summary>
    /// <typeparam name="T1">The first argument type.</typeparam>
    /// <typeparam name="T2">The second argument type.</typeparam>
    /// <param name="target">A static method or a lambda whose captures can be sent to another process.</param>
    /// <param name="arg1">The first argument.</param>
    /// <param name="arg2">The second argument.</param>
    /// <returns>The process, not started yet.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="target"/> is null.</exception>
    /// <exception cref="ArgumentException">The target or an argument cannot be sent to another process.</exception>
    public static Process Create<T1, T2>(Action<T1, T2> target, T1 arg1, T2 arg2) =>
        new(target, [arg1, arg2]);

    /// <summary>
    /// Prepares a process that will run <c>target(arg1, arg2, arg3)</c>: the typed form of
    /// <see cref="Process(Delegate, object[])"/>, so a wrong argument is a compile error. Python: <c>Process(target=, args=)</c>.
    /// </summary>
    /// <typeparam name="T1">The first argument type.</typeparam>
    /// <typeparam name="T2">The second argument type.</typeparam>
    /// <typeparam name="T3">The third argument type.</typeparam>
    /// <param name="target">A static method or a lambda whose captures can be sent to another process.</param>
    /// <param name="arg1">The first argument.</param>
    /// <param name="arg2">The second argument.</param>
    /// <param name="arg3">The third argument.</param>
    /// <returns>The process, not started yet.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="target"/> is null.</exception>
    /// <exception cref="ArgumentException">The target or an argument cannot be sent to another process.</exception>
    public static Process Create<T1, T2, T3>(Action<T1, T2, T3> target, T1 arg1, T2 arg2, T3 arg3) =>
        new(target, [arg1, arg2, arg3]);

    /// <summary>
    /// Prepares a process that will run <c>target(arg1, arg2, arg3, arg4)</c>: the typed form of
    /// <see cref="Process(Delegate, object[])"/>, so a wrong argument is a compile error. Python: <c>Process(target=, args=)</c>.
    /// </summary>
    /// <typeparam name="T1">The first argument type.</typeparam>
    /// <typeparam name="T2">The second argument type.</typeparam>
    /// <typeparam name="T3">The third argument type.</typeparam>
    /// <typeparam name="T4">The fourth argument type.</typeparam>
    /// <param name="target">A static method or a lambda whose captures can be sent to another process.</param>
    /// <param name="arg1">The first argument.</param>
    /// <param name="arg2">The second argument.</param>
    /// <param name="arg3">The third argument.</param>
    /// <param name="arg4">The fourth argument.</param>
    /// <returns>The process, not started yet.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="target"/> is null.</exception>
    /// <exception cref="ArgumentException">The target or an argument cannot be sent to another process.</exception>
    public static Process Create<T1, T2, T3, T4>(Action<T1, T2, T3, T4> target, T1 arg1, T2 arg2, T3 arg3, T4 arg4) =>
        new(target, [arg1, arg2, arg3, arg4]);

    /// <summary>
    /// Prepares a process that will run <c>target(arg1, arg2, arg3, arg4, arg5)</c>: the typed form of
    /// <see cref="Process(Delegate, object[])"/>, so a wrong argument is a compile error. Python: <c>Process(target=, args=)</c>.
    /// </summary>
    /// <typeparam name="T1">The first argument type.</typeparam>
    /// <typeparam name="T2">The second argument type.</typeparam>
    /// <typeparam name="T3">The third argument type.</typeparam>
    /// <typeparam name="T4">The fourth argument type.</typeparam>
    /// <typeparam name="T5">The fifth argument type.</typeparam>
    /// <param name="target">A static method or a lambda whose captures can be sent to another process.</param>
    /// <param name="arg1">The first argument.</param>
    /// <param name="arg2">The second argument.</param>
    /// <param name="arg3">The third argument.</param>
    /// <param name="arg4">The fourth argument.</param>
    /// <param name="arg5">The fifth argument.</param>
    /// <returns>The process, not started yet.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="target"/> is null.</exception>
    /// <exception cref="ArgumentException">The target or an argument cannot be sent to another process.</exception>
    public static Process Create<T1, T2, T3, T4, T5>(Action<T1, T2, T3, T4, T5> target, T1 arg1, T2 arg2, T3 arg3, T4 arg4, T5 arg5) =>
        new(target, [arg1, arg2, arg3, arg4, arg5]);

    /// <summary>
    /// Prepares a process that will run <c>target(arg1, arg2, arg3, arg4, arg5, arg6)</c>: the typed form of
    /// <see cref="Process(Delegate, object[])"/>, so a wrong argument is a compile error. Python: <c>Process(target=, args=)</c>.
    /// </summary>
    /// <typeparam name="T1">The first argument type.</typeparam>
    /// <typeparam name="T2">The second argument type.</typeparam>
    /// <typeparam name="T3">The third argument type.</typeparam>
    /// <typeparam name="T4">The fourth argument type.</typeparam>
    /// <typeparam name="T5">The fifth argument type.</typeparam>
    /// <typeparam name="T6">The sixth argument type.</typeparam>
    /// <param name="target">A static method or a lambda whose captures can be sent to another process.</param>
    /// <param name="arg1">The first argument.</param>
    /// <param name="arg2">The second argument.</param>
    /// <param name="arg3">The third argument.</param>
    /// <param name="arg4">The fourth argument.</param>
    /// <param name="arg5">The fifth argument.</param>
    /// <param name="arg6">The sixth argument.</param>
    /// <returns>The process, not started yet.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="target"/> is null.</exception>
    /// <exception cref="ArgumentException">The target or an argument cannot be sent to another process.</exception>
    public static Process Create<T1, T2, T3, T4, T5, T6>(Action<T1, T2, T3, T4, T5, T6> target, T1 arg1, T2 arg2, T3 arg3, T4 arg4, T5 arg5, T6 arg6) =>
        new(target, [arg1, arg2, arg3, arg4, arg5, arg6]);

    /// <summary>A name for messages (the child prints it with an unhandled exception). Python: <c>name</c>.</summary>
    public string Name { get; set; }

    /// <summary>The child's process id once started. Python: <c>pid</c>.</summary>
    public int? Pid => _process?.Id;

    /// <summary>True between <see cref="Start"/> and the child's exit. Python: <c>is_alive()</c>.</summary>
    public bool IsAlive => _process is { HasExited: false };

    /// <summary>
    /// Null until the child exits; then 0 on success, 1 when the target threw, the code passed to
    /// <see cref="Environment.Exit"/>, or <c>-N</c> when killed by signal N. Python: <c>exitcode</c>.
    /// </summary>
    /// <remarks>On Unix an exit code above 128 is reported as a signal, as the shell does.</remarks>
    public int? ExitCode
    {
        get
        {
            if (_process is not { HasExited: true } process)
            {
                return null;
            }

            int code = process.ExitCode;
            return !OperatingSystem.IsWindows() && code is > 128 and < 128 + 65 ? -(code - 128) : code;
        }
    }

    /// <summary>Starts the child. Python: <c>start()</c>.</summary>
    /// <exception cref="InvalidOperationException">The process was already started.</exception>
    /// <exception cref="ArgumentException">An argument's value cannot be sent.</exception>
    public void Start()
    {
        Dictionary<string, string> environment = BeginStart();
        try
        {
            SetStarted(ChildLauncher.Start(() => ProcessSupport.Launcher.Start(environment)));
        }
        catch
        {
            StartFailed(environment);
            throw;
        }
    }

    /// <summary>
    /// Async twin of <see cref="Start"/>: starts the child without blocking a thread while the runtime launches it.
    /// </summary>
    /// <param name="cancellationToken">Checked before the launch; a launch under way is not abandoned (the child would be left unowned).</param>
    /// <returns>A task that completes once the child is running (<see cref="Pid"/> is set).</returns>
    /// <exception cref="InvalidOperationException">The process was already started.</exception>
    /// <exception cref="ArgumentException">An argument's value cannot be sent.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled before the launch.</exception>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Dictionary<string, string> environment = BeginStart();
        try
        {
            SetStarted(await ChildLauncher.StartAsync(() => ProcessSupport.Launcher.Start(environment)).ConfigureAwait(false));
        }
        catch
        {
            StartFailed(environment);
            throw;
        }
    }

    /// <summary>Claims the one start this process gets, and writes the call the child will read.</summary>
    private Dictionary<string, string> BeginStart()
    {
        lock (_lock)
        {
            if (_process is not null || _starting)
            {
                throw new InvalidOperationException($"{Name} was already started; a Process can be started only once.");
            }

            string callFile = SingleCallHost.WriteCall(ProcessSupport.Directory, _function, _target, _args);
            _starting = true;
            return new Dictionary<string, string>
            {
                [SingleCallHost.CallFileVariable] = callFile,
                [SingleCallHost.NameVariable] = Name,
            };
        }
    }

    private void SetStarted(System.Diagnostics.Process process)
    {
        lock (_lock)
        {
            _process = process;
            _starting = false;
        }
    }

    /// <summary>The launch failed: its call file goes, and the process may be started again.</summary>
    private void StartFailed(Dictionary<string, string> environment)
    {
        File.Delete(environment[SingleCallHost.CallFileVariable]);
        lock (_lock)
        {
            _starting = false;
        }
    }

    /// <summary>Waits for the child to exit. Python: <c>join(timeout)</c>.</summary>
    /// <param name="timeout">How long to wait; null waits forever.</param>
    /// <returns>True if the child exited (Python returns None; check <see cref="ExitCode"/> there).</returns>
    /// <exception cref="InvalidOperationException">The process was never started.</exception>
    public bool Join(TimeSpan? timeout = null)
    {
        System.Diagnostics.Process process = Started();
        int milliseconds = Deadline.From(timeout).RemainingMilliseconds;
        return process.WaitForExit(milliseconds);
    }

    /// <summary>Waits for the child to exit without blocking a thread.</summary>
    /// <param name="cancellationToken">Stops waiting (the child keeps running).</param>
    /// <returns>A task that completes when the child has exited.</returns>
    /// <exception cref="InvalidOperationException">The process was never started.</exception>
    public Task JoinAsync(CancellationToken cancellationToken = default) => Started().WaitForExitAsync(cancellationToken);

    /// <summary>Sends SIGTERM. Python: <c>terminate()</c>.</summary>
    public void Terminate() => Signal(NativeMethods.Sigterm);

    /// <summary>Sends SIGKILL. Python: <c>kill()</c>.</summary>
    public void Kill() => Signal(NativeMethods.Sigkill);

    /// <summary>Kills the child if it still runs and releases the process handle. Python: <c>close()</c> (which refuses a live child).</summary>
    public void Dispose()
    {
        if (_process is { } process)
        {
            if (!process.HasExited)
            {
                Kill();
                process.WaitForExit();
            }

            process.Dispose();
        }
    }

    /// <inheritdoc/>
    public override string ToString() => $"<Process name='{Name}' pid={Pid?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "None"} {(IsAlive ? "started" : ExitCode is { } code ? $"exitcode={code}" : "initial")}>";

    private System.Diagnostics.Process Started() =>
        _process ?? throw new InvalidOperationException($"{Name} was never started; call Start() first.");

    private void Signal(int signal)
    {
        if (_process is { HasExited: false } process)
        {
            NativeMethods.SendSignal(process.Id, signal);
        }
    }
}
