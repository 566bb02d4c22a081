using ConcurrentFutures.Tests.Processes;
using ConcurrentFutures.Tests.Executors;
using Microsoft.Extensions.Logging;

namespace ConcurrentFutures.Tests.Diagnostics;

public class LoggingTests
{
    [Fact]
    public void ProcessPool_LogsWorkerStartRecycleCrashAndExit_WithEventIds()
    {
        (ILoggerFactory factory, CapturingLoggerProvider log) = CapturingLoggerProvider.CreateFactory();
        using (factory)
        {
            using (var executor = new ProcessPoolExecutor(new ProcessPoolOptions { MaxWorkers = 1, MaxTasksPerChild = 2, LoggerFactory = factory }))
            {
                Assert.Equal(4, executor.Submit(Work.Square, 2).Result(TimeSpan.FromSeconds(60)));
                Assert.IsType<BrokenProcessPoolException>(executor.Submit(WorkerFunctions.ExitWith, 7).GetException(TimeSpan.FromSeconds(60)));
                Assert.Equal(9, executor.Submit(Work.Square, 3).Result(TimeSpan.FromSeconds(60)));
            }

            Assert.All(log.Entries, e => Assert.Equal(typeof(ProcessPoolExecutor).FullName, e.Category));
            Assert.Contains(log.Entries, e => e.Id.Id == 10 && e.Id.Name == "WorkerStarted");
            Assert.Contains(log.Entries, e => e.Id.Id == 14 && e.Message.Contains("MaxTasksPerChild", StringComparison.Ordinal));
            var crash = Assert.Single(log.Entries, e => e.Id.Id == 12);
            Assert.Equal(LogLevel.Warning, crash.Level);
            Assert.Contains("exited with code 7", crash.Message, StringComparison.Ordinal);
            Assert.Contains(nameof(WorkerFunctions.ExitWith), crash.Message, StringComparison.Ordinal);
            Assert.Contains(log.Entries, e => e.Id.Name == "WorkerExited");
        }
    }

    [Fact]
    public void ProcessPool_LogsTimeoutKillsAndABrokenPool()
    {
        (ILoggerFactory factory, CapturingLoggerProvider log) = CapturingLoggerProvider.CreateFactory();
        using (factory)
        {
            using (var executor = new ProcessPoolExecutor(new ProcessPoolOptions { MaxWorkers = 1, TaskTimeout = TimeSpan.FromMilliseconds(300), LoggerFactory = factory }))
            {
                Assert.IsType<TimeoutException>(executor.Submit(WorkerFunctions.SleepForever).GetException(TimeSpan.FromSeconds(60)));
            }

            Assert.Contains(log.Entries, e => e.Id.Name == "TaskTimedOut" && e.Level == LogLevel.Warning);

            using (var broken = new ProcessPoolExecutor(new ProcessPoolOptions { MaxWorkers = 1, Initializer = WorkerFunctions.FailToInitialize, LoggerFactory = factory }))
            {
                Assert.IsType<BrokenProcessPoolException>(broken.Submit(Work.FortyTwo).GetException(TimeSpan.FromSeconds(60)));
            }

            Assert.Contains(log.Entries, e => e.Id.Name == "ProcessPoolBroken" && e.Level == LogLevel.Error && e.Message.Contains("initializer failure marker", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void ThreadPool_LogsThreadStartsAndABrokenPool()
    {
        (ILoggerFactory factory, CapturingLoggerProvider log) = CapturingLoggerProvider.CreateFactory();
        using (factory)
        {
            using (var executor = new ThreadPoolExecutor(new ThreadPoolExecutorOptions { MaxWorkers = 1, ThreadNamePrefix = "logged", LoggerFactory = factory }))
            {
                executor.Submit(Work.DoNothing).Wait();
            }

            Assert.Contains(log.Entries, e => e.Id.Name == "ThreadStarted" && e.Message.Contains("logged_0", StringComparison.Ordinal));

            using (var broken = new ThreadPoolExecutor(new ThreadPoolExecutorOptions { Initializer = () => throw new InvalidDataException("init marker"), LoggerFactory = factory }))
            {
                Assert.IsType<BrokenThreadPoolException>(broken.Submit(Work.FortyTwo).GetException());
            }

            var entry = Assert.Single(log.Entries, e => e.Id.Name == "ThreadPoolBroken");
            Assert.IsType<InvalidDataException>(entry.Exception);
        }
    }

    [Fact]
    public async Task Executors_WithoutALoggerFactory_LogNothingAndWork()
    {
        using var executor = new ThreadPoolExecutor(new ThreadPoolExecutorOptions());
        Assert.Equal(42, executor.Submit(Work.FortyTwo).Result());

        // Everything the tests above see logged — worker starts, recycling, a crash, a timeout kill, broken pools — in
        // a process of its own with no logger factory: nothing reaches its console (no fallback logger, no stray line).
        using System.Diagnostics.Process child = Processes.ChildProgram.Start("quiet");
        try
        {
            Task<string> output = child.StandardOutput.ReadToEndAsync();
            Task<string> errors = child.StandardError.ReadToEndAsync();
            await child.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(120));
            Assert.Equal(0, child.ExitCode);
            Assert.Equal(string.Empty, await output);
            Assert.Equal(string.Empty, await errors);
        }
        finally
        {
            Processes.ChildProgram.KillIfAlive(child.Id);
        }
    }
}
