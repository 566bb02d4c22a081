using System.Runtime.InteropServices;
using ConcurrentFutures.Platform;

namespace ConcurrentFutures.Tests.Multiprocessing;

/// <summary>The streaming copy that puts large payloads into shared memory: every byte where it belongs, none beyond.</summary>
public class SharedMemoryCopyTests
{
    [Theory]
    [InlineData(0, 0)]
    [InlineData(1000, 3)]
    [InlineData(SharedMemoryCopy.From - 1, 1)] // below the threshold: an ordinary copy
    [InlineData(SharedMemoryCopy.From, 0)] // streamed from here
    [InlineData(SharedMemoryCopy.From, 31)]
    [InlineData(SharedMemoryCopy.From + 1, 7)]
    [InlineData(SharedMemoryCopy.From + 127, 1)] // a tail shorter than one block of vectors
    [InlineData(SharedMemoryCopy.From + 128 + 31, 17)]
    [InlineData((1024 * 1024) + 13, 5)] // what a queue copies for a 1 MB byte array: its 5-byte header's offset, an odd length
    public unsafe void EveryByteArrives_AtAnyLengthAndAlignment_AndNothingAroundIsTouched(int length, int offset)
    {
        byte[] source = new byte[length];
        new Random(length + offset).NextBytes(source);
        const int Guard = 64;
        nuint size = (nuint)(Guard + offset + length + Guard);
        byte* memory = (byte*)NativeMemory.AlignedAlloc(size, 64);
        try
        {
            var all = new Span<byte>(memory, (int)size);
            all.Fill(0xA5);
            SharedMemoryCopy.Copy(source, memory + Guard + offset);

            Assert.True(all.Slice(Guard + offset, length).SequenceEqual(source));
            Assert.True(all[..(Guard + offset)].IndexOfAnyExcept((byte)0xA5) < 0, "a byte before the destination changed");
            Assert.True(all[(Guard + offset + length)..].IndexOfAnyExcept((byte)0xA5) < 0, "a byte after the destination changed");
        }
        finally
        {
            NativeMemory.AlignedFree(memory);
        }
    }
}
