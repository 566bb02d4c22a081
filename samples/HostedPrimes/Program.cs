// A Generic Host app with a process pool from configuration: `dotnet run --project samples/HostedPrimes [-- --seconds N]`.
// Ctrl+C (or SIGTERM) stops the host; the pool finishes what it holds within the host's shutdown timeout.
using ConcurrentFutures;
using ConcurrentFutures.Hosting;
using ConcurrentFutures.Samples.HostedPrimes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

HostApplicationBuilder builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.Services.AddProcessPoolExecutor("primes", builder.Configuration.GetSection("Executors:Primes"));
builder.Services.AddHostedService<PrimeCounter>();
using IHost host = builder.Build();
await host.RunAsync();
