using static ConcurrentFutures.Analyzers.Tests.AnalyzerTest;

namespace ConcurrentFutures.Analyzers.Tests;

public class SendToProcessAnalyzerTests
{
    [Fact]
    public Task LambdaCapturingAStream_IsReported_AtTheUse() => VerifyAsync(
        """
        class C
        {
            static void Run(ProcessPoolExecutor pool, Stream stream)
            {
                pool.Submit(() => {|#0:stream|}.ReadByte());
            }
        }
        """,
        Diagnostic("CF1001").WithLocation(0).WithArguments("ProcessPoolExecutor.Submit", "stream", "Stream is a Stream, which belongs to this process and cannot be copied to another"));

    [Fact]
    public Task LambdaCapturingASocketLocal_InMap_IsReported() => VerifyAsync(
        """
        class C
        {
            static void Run(ProcessPoolExecutor pool)
            {
                var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
                foreach (int r in pool.Map(x => x + {|#0:socket|}.Available, new[] { 1, 2 })) { }
            }
        }
        """,
        Diagnostic("CF1001").WithLocation(0).WithArguments("ProcessPoolExecutor.Map", "socket", "Socket is a Socket, which belongs to this process and cannot be copied to another"));

    [Fact]
    public Task LambdaUsingThisOfAClassWithPrivateState_IsReported() => VerifyAsync(
        """
        class Service
        {
            private int _offset = 3;

            Future<int> Run(ProcessPoolExecutor pool) => pool.Submit(x => x + {|#0:_offset|}, 4);
        }
        """,
        Diagnostic("CF1002").WithLocation(0).WithArguments("ProcessPoolExecutor.Submit", "Service", "Service has private state (field _offset) that would be lost in the copy; make it a public property or mark the type [MessagePackObject]"));

    [Fact]
    public Task InstanceMethodGroupOnANonSendableTarget_IsReported() => VerifyAsync(
        """
        class C
        {
            static void Run(ProcessPoolExecutor pool, MemoryStream stream)
            {
                pool.Submit({|#0:stream.ReadByte|});
            }
        }
        """,
        Diagnostic("CF1003").WithLocation(0).WithArguments("ProcessPoolExecutor.Submit", "ReadByte", "MemoryStream is a Stream, which belongs to this process and cannot be copied to another"));

    [Fact]
    public Task ProcessConstructorAndPoolMethods_AreChecked() => VerifyAsync(
        """
        class C
        {
            static void Run(Pool pool, Stream stream)
            {
                using var child = new Process((Action)(() => {|#0:stream|}.Flush()));
                pool.Apply(x => x + {|#1:stream|}.Length, 1L);
            }
        }
        """,
        Diagnostic("CF1001").WithLocation(0).WithArguments("new Process", "stream", "Stream is a Stream, which belongs to this process and cannot be copied to another"),
        Diagnostic("CF1001").WithLocation(1).WithArguments("Pool.Apply", "stream", "Stream is a Stream, which belongs to this process and cannot be copied to another"));

    [Fact]
    public Task SendableCaptures_StaticMethods_AndRecords_AreNotReported() => VerifyAsync(
        """
        record Point(int X, int Y);

        class Settings
        {
            public string Name { get; set; } = "";
            public List<int> Values { get; set; } = new();
        }

        class C
        {
            static int Square(int x) => x * x;

            static void Run(ProcessPoolExecutor pool)
            {
                int offset = 3;
                string label = "x";
                var point = new Point(1, 2);
                var settings = new Settings();
                var lookup = new Dictionary<string, int[]>();
                pool.Submit(Square, 2);
                pool.Submit(x => x + offset + label.Length + point.X + settings.Values.Count + lookup.Count, 1);
                pool.Submit(static () => 42);
                pool.Map(x => x * offset, new[] { 1, 2, 3 }, chunkSize: 2);
                pool.Submit(point.ToString);
            }
        }
        """);

    [Fact]
    public Task ThreadPoolAndPlainExecutor_AreNotChecked() => VerifyAsync(
        """
        class C
        {
            static void Run(ThreadPoolExecutor threads, Executor any, Stream stream)
            {
                threads.Submit(() => stream.ReadByte());
                any.Submit(() => stream.ReadByte());
            }
        }
        """);

    [Fact]
    public Task NestedLambdaParameters_AreNotCaptures() => VerifyAsync(
        """
        using System.Linq;

        class C
        {
            static void Run(ProcessPoolExecutor pool)
            {
                pool.Submit(n => Enumerable.Range(0, n).Select(i => i * n).Sum(), 5);
            }
        }
        """);

    [Fact]
    public Task CollectionsOfUnsendableItems_AreReported() => VerifyAsync(
        """
        class C
        {
            static void Run(ProcessPoolExecutor pool)
            {
                var streams = new List<Stream>();
                pool.Submit(() => {|#0:streams|}.Count);
            }
        }
        """,
        Diagnostic("CF1001").WithLocation(0).WithArguments("ProcessPoolExecutor.Submit", "streams", "its Stream items: Stream is a Stream, which belongs to this process and cannot be copied to another"));
}
