using ConcurrentFutures.Tests.Executors;

namespace ConcurrentFutures.Tests.Processes;

public class ProcessPoolExecutorContractTests : ExecutorContractTests
{
    protected override Executor CreateExecutor(int maxWorkers = 2) => new ProcessPoolExecutor(maxWorkers);
}
