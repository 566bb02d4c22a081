using BenchmarkDotNet.Running;

// Run all suites:      dotnet run -c Release --project bench/ConcurrentFutures.Benchmarks -- --filter '*'
// Run one suite:       dotnet run -c Release --project bench/ConcurrentFutures.Benchmarks -- --filter '*ThreadPool*'
BenchmarkSwitcher.FromAssembly(typeof(ThreadPoolSubmitBenchmarks).Assembly).Run(args);
