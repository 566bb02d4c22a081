using BenchmarkDotNet.Attributes;
using ConcurrentFutures.Multiprocessing;

/// <summary>Round trips with a child process through a ProcessQueue and through a Pipe.</summary>
[MemoryDiagnoser]
public class MultiprocessingBenchmarks
{
    private ProcessQueue<int> _inbox = null!;
    private ProcessQueue<int> _outbox = null!;
    private Process _queueChild = null!;
    private Connection _parentEnd = null!;
    private Connection _childEnd = null!;
    private Process _pipeChild = null!;

    [GlobalSetup]
    public void Setup()
    {
        _inbox = new ProcessQueue<int>();
        _outbox = new ProcessQueue<int>();
        _queueChild = new Process(QueueEcho, _inbox, _outbox);
        _queueChild.Start();
        (_parentEnd, _childEnd) = Pipe.Create();
        _pipeChild = new Process(PipeEcho, _childEnd);
        _pipeChild.Start();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _inbox.Put(-1);
        _parentEnd.Send(-1);
        _queueChild.Join(TimeSpan.FromSeconds(30));
        _pipeChild.Join(TimeSpan.FromSeconds(30));
        _queueChild.Dispose();
        _pipeChild.Dispose();
        _inbox.Dispose();
        _outbox.Dispose();
        _parentEnd.Dispose();
        _childEnd.Dispose();
    }

    [Benchmark(Description = "ProcessQueue put + get round trip with a child")]
    public int QueueRoundTrip()
    {
        _inbox.Put(1);
        return _outbox.Get();
    }

    [Benchmark(Description = "Pipe send + receive round trip with a child")]
    public int PipeRoundTrip()
    {
        _parentEnd.Send(1);
        return _parentEnd.Receive<int>();
    }

    public static void QueueEcho(ProcessQueue<int> inbox, ProcessQueue<int> outbox)
    {
        int item;
        while ((item = inbox.Get()) >= 0)
        {
            outbox.Put(item);
        }
    }

    public static void PipeEcho(Connection connection)
    {
        int item;
        while ((item = connection.Receive<int>()) >= 0)
        {
            connection.Send(item);
        }
    }
}
