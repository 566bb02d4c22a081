using System.Buffers;
using ConcurrentFutures.Remote;
using MessagePack;

namespace ConcurrentFutures.Tests.Remote;

/// <summary>Primitive arguments written without boxing: the same bytes as the general path, and only where they would be.</summary>
public class DirectArgumentTests
{
    public static int Three(int a, string? b, byte[]? c) => a + (b?.Length ?? 0) + (c?.Length ?? 0);

    public static int Mixed(long a, bool b, double c) => b ? (int)(a + c) : 0;

    public static int Boxed(object a) => a.GetHashCode();

    public static int Widened(long a) => (int)a;

    public static int Record(Point p) => p.X;

    public record Point(int X);

    [Fact]
    public void IntStringAndBytes_IncludingNulls_AreWrittenAsTheGeneralPathWritesThem()
    {
        Func<int, string?, byte[]?, int> fn = Three;
        foreach ((int a, string? b, byte[]? c) in new[] { (1, "x", new byte[] { 1, 2 }), (-5, null, null), (int.MaxValue, "", Array.Empty<byte>()), (300, new string('é', 70), new byte[70_000]) })
        {
            var call = new Call<int, string?, byte[]?, int>(fn, 3, a, b, c, static (f, x, y, z) => ((Func<int, string?, byte[]?, int>)f)(x, y, z));
            AssertSameAsGeneralPath(call);
        }
    }

    [Fact]
    public void LongBoolAndDouble_AreWrittenAsTheGeneralPathWritesThem()
    {
        Func<long, bool, double, int> fn = Mixed;
        foreach ((long a, bool b, double c) in new[] { (0L, true, 0.5), (long.MinValue, false, double.NaN), (1L << 40, true, -1e300) })
        {
            AssertSameAsGeneralPath(new Call<long, bool, double, int>(fn, 3, a, b, c, static (f, x, y, z) => ((Func<long, bool, double, int>)f)(x, y, z)));
        }
    }

    [Fact]
    public void NoArguments_AreAnEmptyArray()
    {
        Func<int> fn = () => 1;
        AssertSameAsGeneralPath(new Call<VoidResult, VoidResult, VoidResult, int>(fn, 0, default, default, default, static (f, _, _, _) => ((Func<int>)f)()));
    }

    [Fact]
    public void AParameterOfAnotherType_OrANonPrimitive_GoesThroughTheGeneralPath()
    {
        Func<string, int> contravariant = Boxed; // a string argument for an object parameter: written with its runtime type
        Assert.False(CanWriteDirectly(new Call<string, VoidResult, VoidResult, int>(contravariant, 1, "x", default, default, static (f, x, _, _) => ((Func<string, int>)f)(x))));
        Func<Point, int> record = Record;
        Assert.False(CanWriteDirectly(new Call<Point, VoidResult, VoidResult, int>(record, 1, new Point(1), default, default, static (f, x, _, _) => ((Func<Point, int>)f)(x))));
        Func<long, int> widened = Widened;
        Assert.True(CanWriteDirectly(new Call<long, VoidResult, VoidResult, int>(widened, 1, 7L, default, default, static (f, x, _, _) => ((Func<long, int>)f)(x))));
    }

    private static bool CanWriteDirectly(ICallArguments call) => call.CanWriteDirectly(FunctionReference.For((WorkItem)call).ParameterTypes);

    private static void AssertSameAsGeneralPath<TCall>(TCall call)
        where TCall : WorkItem, ICallArguments
    {
        FunctionReference function = FunctionReference.For(call);
        Assert.True(call.CanWriteDirectly(function.ParameterTypes));
        var direct = new ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(direct);
        call.WriteDirectly(ref writer);
        writer.Flush();
        var general = new ArrayBufferWriter<byte>();
        writer = new MessagePackWriter(general);
        function.WriteArguments(ref writer, call.GetArguments());
        writer.Flush();
        Assert.Equal(general.WrittenSpan.ToArray(), direct.WrittenSpan.ToArray());
    }
}
