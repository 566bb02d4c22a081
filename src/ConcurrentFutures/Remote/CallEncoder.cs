using System.Buffers;
using MessagePack;

namespace ConcurrentFutures.Remote;

/// <summary>
/// Turns a work item into what travels to another process: the delegate's target (its closure captures) and the
/// arguments (for a Map chunk, an array of argument arrays), as MessagePack. Shared by the process pool and the cluster
/// executor; an unsendable value fails here, at Submit.
/// </summary>
internal static class CallEncoder
{
    /// <summary>The serialized target of a static method: MessagePack nil, shared by every submission.</summary>
    public static readonly byte[] NoTarget = [0xc0];

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_scratch;

    public delegate void Writer<TState>(ref MessagePackWriter writer, TState state);

    /// <summary>The delegate's target as MessagePack (<see cref="NoTarget"/> for a static method).</summary>
    public static byte[] EncodeTarget(FunctionReference function, Delegate fn) =>
        fn.Target is null
            ? NoTarget
            : Serialize(static (ref MessagePackWriter w, (FunctionReference F, Delegate D) s) => s.F.WriteTarget(ref w, s.D.Target), (function, fn));

    /// <summary>
    /// The arguments of a call, or the argument arrays of a chunk, into this thread's scratch buffer; the span is valid
    /// until the thread's next call.
    /// </summary>
    public static ReadOnlySpan<byte> EncodeArgumentsToScratch(FunctionReference function, WorkItem workItem) =>
        workItem is IChunkArguments chunk
            ? SerializeToScratch(static (ref MessagePackWriter w, (FunctionReference F, IChunkArguments C) s) =>
            {
                w.WriteArrayHeader(s.C.Count);
                for (int i = 0; i < s.C.Count; i++)
                {
                    s.F.WriteArguments(ref w, s.C.GetArguments(i), s.C.FirstIndex + i);
                }
            }, (function, chunk))
            : SerializeToScratch(static (ref MessagePackWriter w, (FunctionReference F, object?[] A) s) => s.F.WriteArguments(ref w, s.A), (function, ((ICallArguments)workItem).GetArguments()));

    public static byte[] Serialize<TState>(Writer<TState> write, TState state) => SerializeToScratch(write, state).ToArray();

    /// <summary>Serializes into this thread's scratch buffer; the span is valid until the thread's next call.</summary>
    public static ReadOnlySpan<byte> SerializeToScratch<TState>(Writer<TState> write, TState state)
    {
        ArrayBufferWriter<byte> scratch = t_scratch ??= new ArrayBufferWriter<byte>(1024);
        scratch.ResetWrittenCount();
        var writer = new MessagePackWriter(scratch);
        try
        {
            write(ref writer, state);
            writer.Flush();
        }
        catch (MessagePackSerializationException exception)
        {
            throw FunctionReference.NotSendable($"A value could not be serialized for another process: {exception.Message}");
        }

        return scratch.WrittenSpan;
    }
}
