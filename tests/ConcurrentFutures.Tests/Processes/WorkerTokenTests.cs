using ConcurrentFutures.Processes;

namespace ConcurrentFutures.Tests.Processes;

/// <summary>The pool's token as a worker reads it from its environment (hex).</summary>
public class WorkerTokenTests
{
    [Fact]
    public void HexInEitherCase_DecodesToTheBytes()
    {
        byte[] token = new byte[32];
        new Random(7).NextBytes(token);
        Assert.Equal(token, CultureFreeDigits.FromHex(Convert.ToHexString(token)));
        Assert.Equal(token, CultureFreeDigits.FromHex(Convert.ToHexString(token).ToLowerInvariant()));
        Assert.Empty(CultureFreeDigits.FromHex(string.Empty));
    }

    [Theory]
    [InlineData("abc")] // odd
    [InlineData("0g")]
    [InlineData("g0")]
    [InlineData("/0")]
    [InlineData(":0")]
    [InlineData("@0")]
    [InlineData("`0")]
    public void AnythingElse_IsAFormatException(string hex) =>
        Assert.Throws<FormatException>(() => CultureFreeDigits.FromHex(hex));
}
