using System.Diagnostics;
using System.Net.Sockets;

namespace ConcurrentFutures.Orleans.Tests.RealProcesses;

/// <summary>A throwaway <c>redis-server</c> on 127.0.0.1 and a free port, without persistence; Dispose kills it by PID.</summary>
public sealed class RedisServer : IDisposable
{
    private readonly Process _process;

    private RedisServer(Process process, int port) => (_process, Port) = (process, port);

    public int Port { get; }

    public string ConnectionString => $"127.0.0.1:{Port}";

    /// <summary>The redis-server on PATH, or null.</summary>
    public static string? Executable { get; } = (Environment.GetEnvironmentVariable("PATH") ?? "")
        .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
        .Select(dir => Path.Combine(dir, "redis-server"))
        .FirstOrDefault(File.Exists);

    public static async Task<RedisServer> StartAsync()
    {
        int port = SiloProcess.FreePort();
        var start = new ProcessStartInfo(Executable ?? throw new InvalidOperationException("redis-server is not installed."))
        {
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (string argument in new[] { "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no" })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        var server = new RedisServer(process, port);
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            while (true)
            {
                try
                {
                    using var client = new TcpClient();
                    await client.ConnectAsync("127.0.0.1", port, timeout.Token);
                    return server;
                }
                catch (SocketException) when (!process.HasExited)
                {
                    await Task.Delay(100, timeout.Token);
                }
            }
        }
        catch
        {
            server.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        try
        {
            _process.Kill();
        }
        catch (InvalidOperationException)
        {
            // already gone
        }

        _process.WaitForExit(10_000);
        _process.Dispose();
    }
}
