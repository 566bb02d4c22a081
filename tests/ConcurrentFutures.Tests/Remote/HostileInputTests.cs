using System.Buffers;
using ConcurrentFutures.Remote;
using ConcurrentFutures.Tests.Processes;
using CsCheck;
using MessagePack;

namespace ConcurrentFutures.Tests.Remote;

/// <summary>
/// Property tests (CsCheck) of what the parent reads from a worker: result payloads and exception payloads, random
/// and mutated from valid ones. Whatever arrives, reading it ends with a value or an exception that fails that one
/// future — never a crash, a hang, a huge allocation, or an object of a type the wire names.
/// </summary>
public class HostileInputTests
{
    private static readonly Gen<byte[]> RandomBytes = Gen.Byte.Array[0, 512];

    /// <summary>Cases per property: 3,000 in CI; set CONCURRENTFUTURES_FUZZ_CASES for a longer hunt.</summary>
    private static readonly int Cases = int.TryParse(Environment.GetEnvironmentVariable("CONCURRENTFUTURES_FUZZ_CASES"), out int cases) && cases > 0 ? cases : 3_000;

    /// <summary>Valid payloads with a few bytes overwritten, cut short, or with junk appended.</summary>
    private static Gen<byte[]> Mutated(byte[] valid) =>
        Gen.OneOf(
            Gen.Select(Gen.Int[0, valid.Length - 1], Gen.Byte, Gen.Int[1, 4], (at, value, count) =>
            {
                byte[] copy = (byte[])valid.Clone();
                for (int i = 0; i < count; i++)
                {
                    copy[(at + i) % copy.Length] = value;
                }

                return copy;
            }),
            Gen.Int[0, valid.Length - 1].Select(length => valid[..length]),
            Gen.Byte.Array[1, 16].Select(junk => valid.Concat(junk).ToArray()));

    [Fact]
    public void RandomResultPayloads_CompleteTheFutureOrFailIt_NeverAnythingElse()
    {
        RandomBytes.Sample(bytes =>
        {
            ReadAsResult<int>(bytes);
            ReadAsResult<string>(bytes);
            ReadAsResult<Point>(bytes);
            ReadAsResult<List<int>>(bytes);
            ReadAsResult<Dictionary<string, int>>(bytes);
            ReadAsResult<byte[]>(bytes);
            ReadAsResult<object>(bytes);
        }, iter: Cases);
    }

    [Fact]
    public void MutatedResultPayloads_CompleteTheFutureOrFailIt_NeverAnythingElse()
    {
        byte[] point = Write(new Point(3, 4));
        byte[] dictionary = Write(new Dictionary<string, int> { ["a"] = 1, ["bb"] = 2 });
        byte[] nested = Write(new List<List<string>> { new() { "x", "y" }, new() { "z" } });
        Mutated(point).Sample(b => ReadAsResult<Point>(b), iter: Cases);
        Mutated(dictionary).Sample(b => ReadAsResult<Dictionary<string, int>>(b), iter: Cases);
        Mutated(nested).Sample(b => ReadAsResult<List<List<string>>>(b), iter: Cases);
    }

    [Fact]
    public void DeeplyNestedPayload_IsRefused_NotAStackOverflow()
    {
        // 100,000 nested one-element arrays: a naive recursive reader would overflow the parent's stack.
        byte[] deep = [.. Enumerable.Repeat((byte)0x91, 100_000), 0x01];
        var future = ReadAsResult<object>(deep);
        Assert.IsType<InvalidDataException>(future.GetException(TimeSpan.Zero));
    }

    [Fact]
    public void HugeDeclaredLength_IsRefused_WithoutAllocatingIt()
    {
        // A string and an array that claim 4 GB and 2^32-1 elements in a 10-byte payload.
        long before = GC.GetAllocatedBytesForCurrentThread();
        Assert.IsType<InvalidDataException>(ReadAsResult<string>([0xdb, 0xff, 0xff, 0xff, 0xff, 1, 2, 3, 4, 5]).GetException(TimeSpan.Zero));
        Assert.IsType<InvalidDataException>(ReadAsResult<List<long>>([0xdd, 0xff, 0xff, 0xff, 0xff, 1, 2, 3, 4, 5]).GetException(TimeSpan.Zero));
        Assert.InRange(GC.GetAllocatedBytesForCurrentThread() - before, 0, 16 * 1024 * 1024);
    }

    [Fact]
    public void RandomAndMutatedExceptionPayloads_RebuildAnExceptionOrAreRefused()
    {
        byte[] valid = Serialize((ref MessagePackWriter w) => ExceptionPayload.Write(ref w, new InvalidOperationException("outer", new ArgumentException("inner"))));
        Gen.OneOf(RandomBytes, Mutated(valid)).Sample(bytes =>
        {
            try
            {
                Assert.NotNull(ExceptionPayload.FromBytes(bytes));
            }
            catch (MessagePackSerializationException)
            {
                // refused: the future fails with InvalidDataException
            }
            catch (EndOfStreamException)
            {
                // refused: truncated
            }
        }, iter: Cases);
    }

    [Theory]
    [InlineData("System.Diagnostics.Process")] // a loaded type that is not an exception
    [InlineData("System.IO.FileStream")]
    [InlineData("Some.Plugin.EvilException, Some.Plugin")] // an assembly that is not loaded
    [InlineData("System.Xml.XmlException, System.Private.Xml")] // a real exception in an assembly not loaded by name
    public void AnExceptionPayloadNamingAnotherType_NeverCreatesIt(string typeName)
    {
        string[] loadedBefore = AppDomain.CurrentDomain.GetAssemblies().Select(a => a.GetName().Name!).ToArray();
        byte[] payload = Serialize((ref MessagePackWriter w) =>
        {
            w.WriteArrayHeader(4);
            w.Write(typeName);
            w.Write("hostile");
            w.Write("   at Nowhere()");
            w.WriteNil();
        });

        Exception rebuilt = ExceptionPayload.FromBytes(payload);

        var remote = Assert.IsType<RemoteException>(rebuilt);
        Assert.Contains("hostile", remote.Message, StringComparison.Ordinal);
        Assert.Equal(loadedBefore.Order(), AppDomain.CurrentDomain.GetAssemblies().Select(a => a.GetName().Name!).Where(loadedBefore.Contains).Order());
        Assert.DoesNotContain(AppDomain.CurrentDomain.GetAssemblies(), a => a.GetName().Name == "Some.Plugin");
    }

    [Fact]
    public void AResultPayloadShapedLikeAnotherType_IsReadAsTheDeclaredTypeOnly()
    {
        // A map with a "$type" key, as type-embedding serializers use: read into the declared Point, or refused.
        byte[] payload = Serialize((ref MessagePackWriter w) =>
        {
            w.WriteMapHeader(3);
            w.Write("$type");
            w.Write("System.Diagnostics.Process, System.Diagnostics.Process");
            w.Write("X");
            w.Write(1);
            w.Write("Y");
            w.Write(2);
        });
        var future = ReadAsResult<object>(payload);
        object? value = future.GetException(TimeSpan.Zero) is null ? future.Result(TimeSpan.Zero) : null;
        Assert.True(value is null or Dictionary<object, object>, $"read as {value?.GetType()}");
        var point = ReadAsResult<Point>(payload);
        Assert.True(point.GetException(TimeSpan.Zero) is InvalidDataException || point.Result(TimeSpan.Zero) == new Point(1, 2));
    }

    [Theory]
    [InlineData("System.Diagnostics.Process", "System.Diagnostics.Process")]
    [InlineData("System.Private.CoreLib", "System.IO.FileStream")]
    [InlineData("Some.Plugin", "Some.Plugin.Payload")]
    [InlineData("MessagePack", "MessagePack.MessagePackSerializerOptions")]
    public void AFrameNamingATypeOutsideTheApplication_IsRefused_WithoutLoadingIt(string assembly, string type)
    {
        // A value declared as object (or a base class) whose frame names a type of the framework or of a package.
        string[] loadedBefore = [.. AppDomain.CurrentDomain.GetAssemblies().Select(a => a.GetName().Name!)];
        byte[] payload = NamingType(assembly, type, (ref MessagePackWriter w) => w.WriteArrayHeader(0));
        Assert.IsType<InvalidDataException>(ReadAsResult<object>(payload).GetException(TimeSpan.Zero));
        Assert.IsType<InvalidDataException>(ReadAsResult<Shape>(payload).GetException(TimeSpan.Zero));
        Assert.DoesNotContain(AppDomain.CurrentDomain.GetAssemblies(), a => a.GetName().Name is { } name && name == assembly && !loadedBefore.Contains(name));
    }

    [Fact]
    public void AFrameNamingAnApplicationTypeThatDoesNotFit_IsRefused()
    {
        // Person is the application's own, but not a Shape; Shape is abstract; a framework number past the list's end.
        byte[] person = NamingType(typeof(Person).Assembly.GetName().Name!, typeof(Person).FullName!, (ref MessagePackWriter w) =>
        {
            w.WriteArrayHeader(2);
            w.Write("x");
            w.Write(1);
        });
        Assert.IsType<InvalidDataException>(ReadAsResult<Shape>(person).GetException(TimeSpan.Zero));
        Assert.Equal(new Person("x", 1), ReadAsResult<object>(person).Result(TimeSpan.Zero)); // where it fits, it is rebuilt

        byte[] abstractShape = NamingType(typeof(Shape).Assembly.GetName().Name!, typeof(Shape).FullName!, (ref MessagePackWriter w) =>
        {
            w.WriteArrayHeader(1);
            w.Write("x");
        });
        Assert.IsType<InvalidDataException>(ReadAsResult<Shape>(abstractShape).GetException(TimeSpan.Zero));

        byte[] pastTheList = Serialize((ref MessagePackWriter w) =>
        {
            w.WriteMapHeader(1);
            w.WriteArrayHeader(2);
            w.Write(0);
            w.Write(10_000);
            w.Write(1);
        });
        Assert.IsType<InvalidDataException>(ReadAsResult<object>(pastTheList).GetException(TimeSpan.Zero));

        byte[] danglingReference = Serialize((ref MessagePackWriter w) =>
        {
            w.WriteExtensionFormatHeader(new ExtensionHeader(80, 4));
            w.WriteRaw(new byte[] { 0, 0, 0, 5 });
        });
        Assert.IsType<InvalidDataException>(ReadAsResult<Shape>(danglingReference).GetException(TimeSpan.Zero));
    }

    [Fact]
    public void MutatedGraphPayloads_CompleteTheFutureOrFailIt_NeverAnythingElse()
    {
        var node = new Node { Value = 1 };
        node.Next = node;
        node.Children.Add(new Node { Value = 2, Next = node });
        byte[] graph = Write<object>(new Bag { Anything = node, Shapes = [new Circle("c", 1), new Square("s", 2)], Pets = { ["a"] = new Dog(3) } });
        Mutated(graph).Sample(b =>
        {
            ReadAsResult<object>(b);
            ReadAsResult<Bag>(b);
        }, iter: Cases);
        RandomBytes.Sample(b => ReadAsResult<Shape>(b), iter: Cases);
    }

    private static Future<T> ReadAsResult<T>(byte[] bytes)
    {
        var future = new Future<T>();
        try
        {
            ResultCompleter.CompleteFrom(future, new ReadOnlySequence<byte>(bytes));
        }
#pragma warning disable CA1031 // The pool fails the future with whatever escapes; the property is that nothing worse happens.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            future.TrySetException(new InvalidDataException(exception.Message, exception));
        }

        Assert.True(future.IsDone);
        return future;
    }

    private delegate void Body(ref MessagePackWriter writer);

    /// <summary>A value under a wider declared type: {[2, assembly, type name]: body}, as the graph formatter writes it.</summary>
    private static byte[] NamingType(string assembly, string typeName, Body body) => Serialize((ref MessagePackWriter w) =>
    {
        w.WriteMapHeader(1);
        w.WriteArrayHeader(3);
        w.Write(2);
        w.Write(assembly);
        w.Write(typeName);
        body(ref w);
    });

    private static byte[] Write<T>(T value) => Serialize((ref MessagePackWriter w) => PayloadSerializer.Write(ref w, typeof(T), value));

    private static byte[] Serialize(Body body)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(buffer);
        body(ref writer);
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }
}
