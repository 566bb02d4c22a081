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
    public Task LambdaUsingThisOfAClassHoldingAStream_IsReported() => VerifyAsync(
        """
        class Service
        {
            private int _offset = 3;
            private readonly Stream _log = Stream.Null;

            Future<int> Run(ProcessPoolExecutor pool) => pool.Submit(x => x + {|#0:_offset|}, 4);
        }
        """,
        Diagnostic("CF1002").WithLocation(0).WithArguments("ProcessPoolExecutor.Submit", "Service", "member Service._log: Stream is a Stream, which belongs to this process and cannot be copied to another"));

    [Fact]
    public Task PrivateStateInternalTypesAndDerivedTypes_AreNotReported() => VerifyAsync(
        """
        abstract record Shape(string Name);
        sealed record Circle(string Name, double Radius) : Shape(Name);

        class Account
        {
            private readonly List<decimal> _history = new();
            public decimal Balance { get; private set; }
        }

        class C
        {
            static int Area(Shape shape) => shape.Name.Length;

            static void Run(ProcessPoolExecutor pool, Account account, ProcessQueue<Shape> queue, Connection connection)
            {
                pool.Submit(Area, new Circle("c", 1));
                pool.Submit(() => account.Balance);
                pool.Map(Area, new Shape[] { new Circle("c", 2) });
                queue.Put(new Circle("d", 3));
                connection.Send(account);
                pool.SubmitAsync(async () => { await System.Threading.Tasks.Task.Yield(); return 7; });
            }
        }
        """);

    [Fact]
    public Task UnsendableArgumentsItemsAndMessages_AreReported() => VerifyAsync(
        """
        class Holder
        {
            public Stream? Data { get; set; }
        }

        class C
        {
            static long Size(Holder holder) => 0;

            static void Run(ProcessPoolExecutor pool, Pool processes, ProcessQueue<object> queue, Connection connection, Holder holder, MemoryStream stream)
            {
                pool.Submit(Size, {|#0:holder|});
                processes.Apply(Size, {|#1:holder|});
                pool.Map(Size, {|#2:new[] { holder }|}, chunkSize: 2);
                queue.Put({|#3:stream|});
                connection.Send({|#4:holder|});
                using var child = new Process((Action<Holder>)(h => { }), {|#5:holder|});
            }
        }
        """,
        Diagnostic("CF1005").WithLocation(0).WithArguments("ProcessPoolExecutor.Submit", "arg1", "member Holder.Data: Stream is a Stream, which belongs to this process and cannot be copied to another"),
        Diagnostic("CF1005").WithLocation(1).WithArguments("Pool.Apply", "arg", "member Holder.Data: Stream is a Stream, which belongs to this process and cannot be copied to another"),
        Diagnostic("CF1005").WithLocation(2).WithArguments("ProcessPoolExecutor.Map", "source", "member Holder.Data: Stream is a Stream, which belongs to this process and cannot be copied to another"),
        Diagnostic("CF1005").WithLocation(3).WithArguments("ProcessQueue.Put", "item", "MemoryStream is a Stream, which belongs to this process and cannot be copied to another"),
        Diagnostic("CF1005").WithLocation(4).WithArguments("Connection.Send", "value", "member Holder.Data: Stream is a Stream, which belongs to this process and cannot be copied to another"),
        Diagnostic("CF1005").WithLocation(5).WithArguments("new Process", "args", "member Holder.Data: Stream is a Stream, which belongs to this process and cannot be copied to another"));

    [Fact]
    public Task UnsendableResults_AreReported() => VerifyAsync(
        """
        class C
        {
            static Stream Open() => Stream.Null;

            static void Run(ProcessPoolExecutor pool)
            {
                pool.Submit({|#0:Open|});
                pool.Submit({|#1:() => new MemoryStream()|});
            }
        }
        """,
        Diagnostic("CF1006").WithLocation(0).WithArguments("ProcessPoolExecutor.Submit", "Stream", "Stream is a Stream, which belongs to this process and cannot be copied to another"),
        Diagnostic("CF1006").WithLocation(1).WithArguments("ProcessPoolExecutor.Submit", "MemoryStream", "MemoryStream is a Stream, which belongs to this process and cannot be copied to another"));

    [Fact]
    public Task AsyncWorkGivenToSubmitOrMap_IsReported() => VerifyAsync(
        """
        using System.Threading.Tasks;

        class C
        {
            static async Task<int> AddLater(int x) { await Task.Yield(); return x + 1; }

            static void Run(ProcessPoolExecutor pool)
            {
                pool.Submit({|#0:async () => { await Task.Yield(); return 7; }|});
                pool.Map({|#1:AddLater|}, new[] { 1, 2 });
                pool.SubmitAsync(AddLater, 1);
            }
        }
        """,
        Diagnostic("CF1007").WithLocation(0).WithArguments("ProcessPoolExecutor.Submit", "Task<int>"),
        Diagnostic("CF1007").WithLocation(1).WithArguments("ProcessPoolExecutor.Map", "Task<int>"));

    /// <summary>
    /// A lambda cannot use a ref parameter or a ref struct at all: C# refuses it (CS1628, CS9108), so no rule of ours
    /// is needed there (an earlier CF1004 could never fire), and the analyzer adds nothing to the compiler's errors.
    /// </summary>
    [Fact]
    public Task LambdaUsingARefParameterOrARefStruct_IsRefusedByTheCompilerAlone() => VerifyAsync(
        """
        class C
        {
            static void Run(ProcessPoolExecutor pool, ref int counter, Span<byte> bytes)
            {
                pool.Submit(() => {|#0:counter|} + 1);
                pool.Submit(() => {|#1:bytes|}.Length);
            }
        }
        """,
        Microsoft.CodeAnalysis.Testing.DiagnosticResult.CompilerError("CS1628").WithLocation(0).WithArguments("counter"),
        Microsoft.CodeAnalysis.Testing.DiagnosticResult.CompilerError("CS9108").WithLocation(1).WithArguments("bytes"));

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
