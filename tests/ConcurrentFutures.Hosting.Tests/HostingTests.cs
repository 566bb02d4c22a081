using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using ConcurrentFutures.Tests.Diagnostics;
using Microsoft.Extensions.Logging;

namespace ConcurrentFutures.Hosting.Tests;

public class HostingTests
{
    [Fact]
    public async Task ProcessPool_IsBoundToAConfigurationSection_AndRunsWork()
    {
        HostApplicationBuilder builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Executors:Primes:MaxWorkers"] = "2",
            ["Executors:Primes:TaskTimeout"] = "00:00:30",
            ["Executors:Primes:MaxTasksPerChild"] = "100",
        });
        builder.Services.AddProcessPoolExecutor(null, builder.Configuration.GetSection("Executors:Primes"));
        using IHost host = builder.Build();
        await host.StartAsync();

        var executor = host.Services.GetRequiredService<ProcessPoolExecutor>();
        Assert.Same(executor, host.Services.GetRequiredService<Executor>());
        Assert.Equal(2, executor.MaxWorkers);
        Assert.Equal([1, 4, 9], executor.Map(HostedWork.Square, [1, 2, 3]).ToArray());
        int[] pids = [.. executor.WorkerProcessIds];

        await host.StopAsync();
        Assert.All(pids, pid => Assert.True(HasExited(pid), $"worker {pid} outlived the host"));
    }

    [Fact]
    public async Task NamedExecutors_AreKeyedServices_WithTheirOwnOptions()
    {
        HostApplicationBuilder builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddThreadPoolExecutor("io", o => o.MaxWorkers = 3);
        builder.Services.AddThreadPoolExecutor("cpu", o => o.MaxWorkers = 5);
        builder.Services.AddProcessPoolExecutor("isolated", o => o.MaxWorkers = 1);
        builder.Services.AddSingleton<Consumer>();
        using IHost host = builder.Build();
        await host.StartAsync();

        var io = host.Services.GetRequiredKeyedService<ThreadPoolExecutor>("io");
        Assert.Equal(3, io.MaxWorkers);
        Assert.Equal(5, host.Services.GetRequiredKeyedService<ThreadPoolExecutor>("cpu").MaxWorkers);
        Assert.Same(io, host.Services.GetRequiredKeyedService<Executor>("io"));
        Assert.IsType<ProcessPoolExecutor>(host.Services.GetRequiredKeyedService<Executor>("isolated"));
        Assert.Null(host.Services.GetService<Executor>()); // only named ones were added

        var consumer = host.Services.GetRequiredService<Consumer>();
        Assert.NotEqual(Environment.ProcessId, consumer.Isolated.Submit(HostedWork.Pid).Result(TimeSpan.FromSeconds(60)));
        Assert.Same(io, consumer.Io);
        await host.StopAsync();
    }

    [Fact]
    public async Task HostStop_LetsRunningWorkFinish_WhenItFitsTheShutdownTimeout()
    {
        HostApplicationBuilder builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(30));
        builder.Services.AddProcessPoolExecutor(configure: o => o.MaxWorkers = 1);
        using IHost host = builder.Build();
        await host.StartAsync();
        var executor = host.Services.GetRequiredService<ProcessPoolExecutor>();
        Future<int> running = executor.Submit(HostedWork.SleepThenSquare, 7);
        Future<int> queued = executor.Submit(HostedWork.SleepThenSquare, 8);

        await host.StopAsync();
        Assert.Equal(49, running.Result(TimeSpan.Zero));
        Assert.Equal(64, queued.Result(TimeSpan.Zero));
        Assert.Throws<ObjectDisposedException>(() => executor.Submit(HostedWork.Square, 1));
    }

    [Fact]
    public async Task HostStop_KillsWorkersThatOutliveTheShutdownTimeout_AndLogsIt()
    {
        var log = new CapturingLoggerProvider();
        HostApplicationBuilder builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Logging.AddProvider(log);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromMilliseconds(500));
        builder.Services.AddProcessPoolExecutor("stuck", o => o.MaxWorkers = 1);
        using IHost host = builder.Build();
        await host.StartAsync();
        var executor = host.Services.GetRequiredKeyedService<ProcessPoolExecutor>("stuck");
        Future<int> hung = executor.Submit(HostedWork.SleepForever);
        Future<int> waiting = executor.Submit(HostedWork.Square, 2);
        while (executor.WorkerProcessIds.Count == 0 || !hung.IsRunning)
        {
            await Task.Delay(20);
        }

        int pid = executor.WorkerProcessIds[0];
        var stopping = Stopwatch.StartNew();
        await host.StopAsync();
        host.Dispose(); // disposing the container must not wait for the hung work either
        Assert.True(stopping.Elapsed < TimeSpan.FromSeconds(20), $"stopping took {stopping.Elapsed}");

        Assert.IsType<BrokenProcessPoolException>(hung.GetException(TimeSpan.FromSeconds(10)));
        Assert.True(waiting.IsDone);
        Assert.True(HasExited(pid));
        Assert.Contains(log.Entries, e => e.Id.Name == "ExecutorShutdownForced" && e.Message.Contains("stuck", StringComparison.Ordinal));
        Assert.Contains(log.Entries, e => e.Category == typeof(ProcessPoolExecutor).FullName); // the container's logger reached the pool
    }

    [Fact]
    public async Task HostStop_DoesNotHangOnAHungThread()
    {
        using var release = new ManualResetEventSlim();
        HostApplicationBuilder builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromMilliseconds(300));
        builder.Services.AddThreadPoolExecutor(configure: o => o.MaxWorkers = 1);
        IHost host = builder.Build();
        await host.StartAsync();
        var executor = host.Services.GetRequiredService<ThreadPoolExecutor>();
        Future<bool> hung = executor.Submit(() => release.Wait(TimeSpan.FromSeconds(60)));
        Future<int> queued = executor.Submit(HostedWork.Square, 3);
        try
        {
            await host.StopAsync();
            host.Dispose();
            Assert.True(queued.IsCancelled);
            Assert.False(hung.IsDone);
        }
        finally
        {
            release.Set();
        }

        Assert.True(hung.Result(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public void Registration_RejectsAnEmptyName()
    {
        var services = new ServiceCollection();
        Assert.Throws<ArgumentException>("name", () => services.AddProcessPoolExecutor(" "));
        Assert.Throws<ArgumentNullException>("configuration", () => services.AddThreadPoolExecutor("x", (IConfiguration)null!));
    }

    [Fact]
    public void InvalidOptions_FailWhenTheExecutorIsResolved_NamingTheOption()
    {
        var services = new ServiceCollection();
        services.AddProcessPoolExecutor(configure: o => o.MaxWorkers = 0);
        using ServiceProvider provider = services.BuildServiceProvider();
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => provider.GetRequiredService<ProcessPoolExecutor>());
        Assert.Equal("options.MaxWorkers", error.ParamName);
    }

    private static bool HasExited(int pid)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(10))
        {
            try
            {
                using var process = System.Diagnostics.Process.GetProcessById(pid);
                if (process.HasExited)
                {
                    return true;
                }
            }
            catch (ArgumentException)
            {
                return true;
            }

            Thread.Sleep(50);
        }

        return false;
    }

    public sealed class Consumer([FromKeyedServices("isolated")] Executor isolated, [FromKeyedServices("io")] ThreadPoolExecutor io)
    {
        public Executor Isolated { get; } = isolated;

        public ThreadPoolExecutor Io { get; } = io;
    }
}
