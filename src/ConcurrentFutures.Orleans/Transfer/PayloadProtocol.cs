using System.Buffers.Binary;
using System.Net.Sockets;
using ConcurrentFutures.Processes;

namespace ConcurrentFutures.Orleans;

/// <summary>
/// The side channel large values take between a client and a silo (both ends of it are here). A grain call is one
/// Orleans message, which Orleans caps (100 MB by default: above it the silo's gateway drops the connection and the
/// call is never answered) and which it copies several times on the way (measured: 50 MB round trips at ~0.1–0.25
/// GB/s). So a payload above <see cref="InlineLimit"/> goes over a plain TCP connection to the silo's payload port
/// (<see cref="SiloPayloadServer"/>) and the grain call carries its id.
/// </summary>
/// <remarks>
/// A connection starts with the silo's key (learned with a grain call, so who can call the silo's grains can use the
/// port, and no one else); then requests follow one at a time, each a 25-byte header — operation, payload id,
/// length — answered by a status byte:
/// <list type="bullet">
/// <item><see cref="Put"/>: the payload follows the header; the silo keeps it under the id until a call takes it.</item>
/// <item><see cref="Take"/>: the silo answers with the length and the payload kept under the id (a result), and forgets it.</item>
/// <item><see cref="Ping"/>: the silo answers at once; the executor's probe of a silo, independent of Orleans' gateways and membership.</item>
/// <item><see cref="Ask"/>: the silo tells whether it has the call whose id is in the header: running it, answered it (and
/// how long ago, in milliseconds, as the length field of its answer), or never got it.</item>
/// <item><see cref="PutShared"/> and <see cref="TakeShared"/>: a client that may be on the silo's machine offers to write
/// the payload into, or read the result from, the shared-memory slab of the silo's worker itself. The silo names the
/// slab (<see cref="WriteNamed"/>: its file and a token it wrote into the slab's header) and the client answers
/// <see cref="Ok"/> once it has written or read it there — or <see cref="Refused"/> when the file is not there or holds
/// another token (it runs elsewhere): then the value travels over the connection as with <see cref="Put"/> and
/// <see cref="Take"/>. When the silo has no slab for it (its workers' are busy, or it runs work itself), it answers
/// <see cref="Missing"/> to a put (the client sends a <see cref="Put"/> next) and a take as a <see cref="Take"/>.</item>
/// </list>
/// </remarks>
internal static class PayloadProtocol
{
    /// <summary>Payloads (a call's target or arguments, or its result) up to this size travel inside the grain call.</summary>
    public const int InlineLimit = 64 * 1024;

    public const int KeyLength = 32;

    public const int HeaderLength = 1 + 16 + 8;

    public const byte Put = 1;

    public const byte Take = 2;

    /// <summary>The executor's probe: the silo answers <see cref="Ok"/> at once (its liveness, seen from the client).</summary>
    public const byte Ping = 3;

    /// <summary>Does the silo have this call? Answered <see cref="Ok"/> (running), <see cref="Answered"/> or <see cref="Missing"/>.</summary>
    public const byte Ask = 4;

    /// <summary>Put, through the silo worker's slab when the client is on the silo's machine (see the remarks).</summary>
    public const byte PutShared = 5;

    /// <summary>Take, from the silo worker's slab when the client is on the silo's machine (see the remarks).</summary>
    public const byte TakeShared = 6;

    public const byte Ok = 0;

    public const byte Missing = 1;

    public const byte Refused = 2;

    /// <summary>Answer to <see cref="Ask"/>: the silo answered the call; 8 bytes follow, how many milliseconds ago.</summary>
    public const byte Answered = 3;

    /// <summary>Answer to <see cref="TakeShared"/> (and <see cref="PutShared"/>'s <see cref="Ok"/>): a slab is named, see <see cref="WriteNamed"/>.</summary>
    public const byte Named = 4;

    /// <summary>Bytes of a named slab's answer before its path: status, payload length, token, path length.</summary>
    public const int NamedLength = 1 + 8 + PayloadSlab.TokenLength + 2;

    /// <summary>A payload neither taken nor claimed within this time is dropped (its client or call is gone).</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(10);

    public static void WriteHeader(Span<byte> header, byte operation, Guid id, long length)
    {
        header[0] = operation;
        _ = id.TryWriteBytes(header.Slice(1, 16));
        BinaryPrimitives.WriteInt64LittleEndian(header[17..], length);
    }

    public static (byte Operation, Guid Id, long Length) ReadHeader(ReadOnlySpan<byte> header) =>
        (header[0], new Guid(header.Slice(1, 16)), BinaryPrimitives.ReadInt64LittleEndian(header[17..]));

    /// <summary>The silo's answer naming a slab: <see cref="Named"/>, the payload's length, the token in the slab's header, the slab's path.</summary>
    public static byte[] WriteNamed(long length, ReadOnlySpan<byte> token, string path)
    {
        int pathLength = System.Text.Encoding.UTF8.GetByteCount(path);
        byte[] answer = new byte[NamedLength + pathLength];
        answer[0] = Named;
        BinaryPrimitives.WriteInt64LittleEndian(answer.AsSpan(1), length);
        token.CopyTo(answer.AsSpan(9));
        BinaryPrimitives.WriteUInt16LittleEndian(answer.AsSpan(9 + PayloadSlab.TokenLength), checked((ushort)pathLength));
        System.Text.Encoding.UTF8.GetBytes(path, answer.AsSpan(NamedLength));
        return answer;
    }

    /// <summary>Socket settings of both ends: no Nagle delay on the small answers, large buffers for the payloads.</summary>
    public static void Configure(Socket socket)
    {
        socket.NoDelay = true;
        socket.SendBufferSize = 4 * 1024 * 1024;
        socket.ReceiveBufferSize = 4 * 1024 * 1024;
    }
}
