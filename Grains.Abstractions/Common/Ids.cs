using System.Security.Cryptography;

namespace Ipto.Common;

/// <summary>Prefixed, lowercase, time-ordered 26-character ids (48-bit millisecond time + 80 random bits, Crockford base32).</summary>
public static class Ids
{
    private const string Alphabet = "0123456789abcdefghjkmnpqrstvwxyz";
    public const int BodyLength = 26;

    private static readonly Lock Gate = new();
    private static readonly byte[] Last = new byte[16];

    /// <summary>
    /// A new id for now. Ids made by one process are strictly increasing: within one millisecond (or if the clock steps
    /// back) the previous id's random part is incremented instead of drawn, so creation order is id order.
    /// </summary>
    public static string New(string prefix)
    {
        var bytes = Body(DateTimeOffset.UtcNow);
        lock (Gate)
        {
            if (bytes.AsSpan(0, 6).SequenceCompareTo(Last.AsSpan(0, 6)) <= 0)
            {
                Last.CopyTo(bytes, 0);
                var i = 15;
                while (i >= 6 && unchecked(++bytes[i]) == 0) i--; // add one, carrying through the random bytes
            }

            bytes.CopyTo(Last, 0);
        }

        return Format(prefix, bytes);
    }

    /// <summary>
    /// The same id every time for the same <paramref name="time"/> and <paramref name="random"/> (at least 10 bytes;
    /// the first 10 are used): ids a retried request must create again.
    /// </summary>
    public static string Derived(string prefix, DateTimeOffset time, ReadOnlySpan<byte> random)
    {
        var bytes = Body(time);
        random[..10].CopyTo(bytes.AsSpan(6));
        return Format(prefix, bytes);
    }

    /// <summary>An id for <paramref name="time"/> (no ordering among ids of the same millisecond).</summary>
    public static string New(string prefix, DateTimeOffset time) => Format(prefix, Body(time));

    private static byte[] Body(DateTimeOffset time)
    {
        var bytes = new byte[16];
        var ms = (ulong)time.ToUnixTimeMilliseconds();
        for (var i = 5; i >= 0; i--)
        {
            bytes[i] = (byte)(ms & 0xFF);
            ms >>= 8;
        }

        RandomNumberGenerator.Fill(bytes.AsSpan(6));
        return bytes;
    }

    private static string Format(string prefix, byte[] bytes) =>
        string.Create(prefix.Length + 1 + BodyLength, (prefix, Bytes: bytes), static (span, s) =>
        {
            s.prefix.AsSpan().CopyTo(span);
            span[s.prefix.Length] = '_';
            Encode(s.Bytes, span[(s.prefix.Length + 1)..]);
        });

    /// <summary>True when <paramref name="id"/> is <paramref name="prefix"/>_ followed by a well-formed body.</summary>
    public static bool IsValid(string? id, string prefix)
    {
        if (id is null || id.Length != prefix.Length + 1 + BodyLength) return false;
        if (!id.StartsWith(prefix, StringComparison.Ordinal) || id[prefix.Length] != '_') return false;
        var body = id.AsSpan(prefix.Length + 1);
        if (body[0] > '7') return false;
        foreach (var c in body)
            if (!Alphabet.Contains(c)) return false;
        return true;
    }

    private static void Encode(ReadOnlySpan<byte> bytes, Span<char> output)
    {
        // 128 bits → 26 base32 digits, most significant first (the first digit carries 3 bits).
        var hi = ((ulong)bytes[0] << 56) | ((ulong)bytes[1] << 48) | ((ulong)bytes[2] << 40) | ((ulong)bytes[3] << 32)
                 | ((ulong)bytes[4] << 24) | ((ulong)bytes[5] << 16) | ((ulong)bytes[6] << 8) | bytes[7];
        var lo = ((ulong)bytes[8] << 56) | ((ulong)bytes[9] << 48) | ((ulong)bytes[10] << 40) | ((ulong)bytes[11] << 32)
                 | ((ulong)bytes[12] << 24) | ((ulong)bytes[13] << 16) | ((ulong)bytes[14] << 8) | bytes[15];
        var value = new UInt128(hi, lo);
        for (var i = BodyLength - 1; i >= 0; i--)
        {
            output[i] = Alphabet[(int)(value & 31)];
            value >>= 5;
        }
    }
}
