using System.Globalization;
using ConcurrentFutures.Platform;

namespace ConcurrentFutures.Tests.Processes;

/// <summary>The numbers a worker formats and parses before its first call, and its pool's token (hex), without culture data.</summary>
public class CultureFreeDigitsTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(7)]
    [InlineData(10)]
    [InlineData(4_194_304)]
    [InlineData(int.MaxValue)]
    public void Numbers_ReadAsTheyAreWritten_AndAsTheInvariantCultureWritesThem(int value)
    {
        string digits = CultureFreeDigits.Format(value);
        Assert.Equal(value.ToString(CultureInfo.InvariantCulture), digits);
        Assert.Equal(value, CultureFreeDigits.Parse(digits));
    }

    [Fact]
    public void NegativeNumbers_AreNotFormatted() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => CultureFreeDigits.Format(-1));

    [Theory]
    [InlineData("")]
    [InlineData("-1")]
    [InlineData("+1")]
    [InlineData(" 1")]
    [InlineData("1 ")]
    [InlineData("1a")]
    [InlineData("/")]
    [InlineData(":")]
    [InlineData("2147483648")]
    [InlineData("99999999999999999999")]
    public void AnythingButDigitsOfAnInt_IsAFormatException(string text) =>
        Assert.Throws<FormatException>(() => CultureFreeDigits.Parse(text));

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
    public void AnythingButPairsOfHexDigits_IsAFormatException(string hex) =>
        Assert.Throws<FormatException>(() => CultureFreeDigits.FromHex(hex));
}
