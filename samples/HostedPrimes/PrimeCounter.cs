using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ConcurrentFutures.Samples.HostedPrimes;

/// <summary>Counts primes in successive ranges on the "primes" process pool, logging each range, until the host stops.</summary>
internal sealed partial class PrimeCounter(
    [FromKeyedServices("primes")] ProcessPoolExecutor pool,
    IConfiguration configuration,
    IHostApplicationLifetime lifetime,
    ILogger<PrimeCounter> logger) : BackgroundService
{
    private const int RangeSize = 200_000;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        TimeSpan? runFor = configuration.GetValue<int?>("seconds") is int seconds ? TimeSpan.FromSeconds(seconds) : null;
        var clock = Stopwatch.StartNew();
        long start = 1_000_000_000;
        while (!stoppingToken.IsCancellationRequested && (runFor is null || clock.Elapsed < runFor))
        {
            int primes = 0;
            await foreach (bool isPrime in pool.MapAsync(IsPrime, Range(start, RangeSize), chunkSize: 1_000, cancellationToken: stoppingToken))
            {
                primes += isPrime ? 1 : 0;
            }

            LogRange(logger, start, start + RangeSize, primes);
            start += RangeSize;
        }

        lifetime.StopApplication();
    }

    private static IEnumerable<long> Range(long start, int count)
    {
        for (long n = start; n < start + count; n++)
        {
            yield return n;
        }
    }

    /// <summary>A static method: it can be sent to worker processes.</summary>
    public static bool IsPrime(long n)
    {
        if (n < 2 || n % 2 == 0)
        {
            return n == 2;
        }

        for (long i = 3; i * i <= n; i += 2)
        {
            if (n % i == 0)
            {
                return false;
            }
        }

        return true;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Primes} primes in [{From}, {To})")]
    private static partial void LogRange(ILogger logger, long from, long to, int primes);
}
