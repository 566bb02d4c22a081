namespace ConcurrentFutures.Platform;

/// <summary>
/// Non-negative integers to and from decimal digits, and bytes from hex digits, without culture data or vectorized
/// decoders. A worker process reads its pool's token and formats and parses a few numbers (its slot, its parent's pid)
/// before its first call; with a format provider, even the invariant culture's, that loads the runtime's globalization
/// support and with it ICU: measured ~3 ms and ~3 MB of resident memory in every new worker, which a no-op call does
/// not otherwise need (its work loads ICU if it uses culture data).
/// </summary>
internal static class CultureFreeDigits
{
    /// <summary><paramref name="value"/> in decimal digits.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="value"/> is negative.</exception>
    public static string Format(int value)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(value);
        Span<char> digits = stackalloc char[10];
        int start = digits.Length;
        do
        {
            digits[--start] = (char)('0' + (value % 10));
            value /= 10;
        }
        while (value != 0);

        return new string(digits[start..]);
    }

    /// <summary>The non-negative integer <paramref name="text"/> spells in decimal digits (nothing else: no sign, no spaces).</summary>
    /// <exception cref="FormatException"><paramref name="text"/> is empty, holds anything but digits, or exceeds <see cref="int.MaxValue"/>.</exception>
    public static int Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length == 0)
        {
            throw new FormatException("Expected a number, found nothing.");
        }

        long value = 0;
        foreach (char c in text)
        {
            if (c is < '0' or > '9')
            {
                throw new FormatException($"'{text}' is not a non-negative decimal number.");
            }

            value = (value * 10) + (c - '0');
            if (value > int.MaxValue)
            {
                throw new FormatException($"'{text}' is larger than {int.MaxValue}.");
            }
        }

        return (int)value;
    }

    /// <summary>
    /// The pool's token from its hex form (Convert.FromHexString's vectorized decoder is compiled on first use, a
    /// noticeable part of a new worker's start for 32 characters).
    /// </summary>
    /// <exception cref="FormatException">Not an even number of hex digits.</exception>
    public static byte[] FromHex(string hex)
    {
        if (hex.Length % 2 != 0)
        {
            throw new FormatException("The worker token must be an even number of hex digits.");
        }

        byte[] bytes = new byte[hex.Length / 2];
        for (int i = 0; i < bytes.Length; i++)
        {
            bytes[i] = (byte)((Digit(hex[2 * i]) << 4) | Digit(hex[(2 * i) + 1]));
        }

        return bytes;

        static int Digit(char c) => c switch
        {
            >= '0' and <= '9' => c - '0',
            >= 'a' and <= 'f' => c - 'a' + 10,
            >= 'A' and <= 'F' => c - 'A' + 10,
            _ => throw new FormatException($"'{c}' is not a hex digit in the worker token."),
        };
    }
}
