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

    /// <summary>A work item encoded for another process: its function (an unsendable one refused here), with its target and arguments written into the caller's buffers.</summary>
    public static FunctionReference Encode(WorkItem workItem, IBufferWriter<byte> target, IBufferWriter<byte> arguments)
    {
        FunctionReference function = FunctionReference.For(workItem);
        EncodeTarget(function, workItem.Function, target);
        EncodeArguments(function, workItem, arguments);
        return function;
    }

    /// <summary>The delegate's target as MessagePack (<see cref="NoTarget"/> for a static method).</summary>
    public static byte[] EncodeTarget(FunctionReference function, Delegate fn)
    {
        if (fn.Target is null)
        {
            return NoTarget;
        }

        ArrayBufferWriter<byte> scratch = Scratch();
        EncodeTarget(function, fn, scratch);
        return scratch.WrittenSpan.ToArray();
    }

    /// <summary>The arguments of a call, or the argument arrays of a chunk, into <paramref name="output"/>.</summary>
    public static void EncodeArguments(FunctionReference function, WorkItem workItem, IBufferWriter<byte> output)
    {
        if (workItem is IChunkArguments chunk)
        {
            SerializeTo(output, static (ref MessagePackWriter w, (FunctionReference F, IChunkArguments C) s) =>
            {
                w.WriteArrayHeader(s.C.Count);
                for (int i = 0; i < s.C.Count; i++)
                {
                    s.F.WriteArguments(ref w, s.C.GetArguments(i), s.C.FirstIndex + i);
                }
            }, (function, chunk));
        }
        else if (workItem is ICallArguments call && call.CanWriteDirectly(function.ParameterTypes))
        {
            SerializeTo(output, static (ref MessagePackWriter w, ICallArguments c) => c.WriteDirectly(ref w), call);
        }
        else
        {
            SerializeTo(output, static (ref MessagePackWriter w, (FunctionReference F, object?[] A) s) => s.F.WriteArguments(ref w, s.A), (function, ((ICallArguments)workItem).GetArguments()));
        }
    }

    /// <summary>The delegate's target (its closure captures) into <paramref name="output"/>: MessagePack nil for a static method.</summary>
    public static void EncodeTarget(FunctionReference function, Delegate fn, IBufferWriter<byte> output)
    {
        if (fn.Target is null)
        {
            output.Write(NoTarget);
            return;
        }

        SerializeTo(output, static (ref MessagePackWriter w, (FunctionReference F, Delegate D) s) => s.F.WriteTarget(ref w, s.D.Target), (function, fn));
    }

    public static byte[] Serialize<TState>(Writer<TState> write, TState state) => SerializeToScratch(write, state).ToArray();

    /// <summary>Serializes into this thread's scratch buffer; the span is valid until the thread's next call.</summary>
    public static ReadOnlySpan<byte> SerializeToScratch<TState>(Writer<TState> write, TState state)
    {
        ArrayBufferWriter<byte> scratch = Scratch();
        SerializeTo(scratch, write, state);
        return scratch.WrittenSpan;
    }

    /// <summary>This thread's scratch buffer, emptied.</summary>
    private static ArrayBufferWriter<byte> Scratch()
    {
        ArrayBufferWriter<byte> scratch = t_scratch ??= new ArrayBufferWriter<byte>(1024);
        scratch.ResetWrittenCount();
        return scratch;
    }

    /// <summary>
    /// Lets the GC reclaim this thread's scratch buffer once a large value grew it (it would otherwise stay as large as
    /// the largest value the thread ever sent); call once its span is no longer used.
    /// </summary>
    public static void ReleaseLargeScratch()
    {
        if (t_scratch is { Capacity: > LargestKeptScratch })
        {
            t_scratch = null;
        }
    }

    private const int LargestKeptScratch = 64 * 1024 * 1024;

    private static void SerializeTo<TState>(IBufferWriter<byte> output, Writer<TState> write, TState state)
    {
        var writer = new MessagePackWriter(output);
        try
        {
            write(ref writer, state);
            writer.Flush();
        }
        catch (MessagePackSerializationException exception)
        {
            throw FunctionReference.NotSendable($"A value could not be serialized for another process: {exception.Message}");
        }
        catch (OutOfMemoryException exception) when (output is ArrayBufferWriter<byte> scratch && scratch.Capacity > Array.MaxLength / 4)
        {
            // ArrayBufferWriter's way of saying that what was written would need an array above Array.MaxLength.
            throw FunctionReference.NotSendable($"A value is too large to send to another process: one payload holds at most {Array.MaxLength:N0} bytes ({exception.Message}).");
        }
        catch (InsufficientMemoryException exception)
        {
            // PooledBufferWriter's (the process pool's argument buffer).
            throw FunctionReference.NotSendable($"A value is too large to send to another process: one payload holds at most {Array.MaxLength:N0} bytes ({exception.Message}).");
        }
    }
}
