using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Ipto.Common;

namespace Ipto.Grains.Storage;

/// <summary>
/// Opaque, tamper-evident keyset cursors: <c>base64url(payload).base64url(hmac)</c>. The payload names the list
/// it belongs to, so a cursor of one list (or filter) is refused by another.
/// </summary>
public sealed class CursorCodec(byte[] key)
{
    private const int MacBytes = 16;

    public string Encode(string scope, string position)
    {
        var payload = Encoding.UTF8.GetBytes(scope + "\n" + position);
        return Base64Url.EncodeToString(payload) + "." + Base64Url.EncodeToString(Mac(payload));
    }

    /// <summary>The position inside <paramref name="scope"/>, or a 400 <c>invalid_request</c> for anything else.</summary>
    public string Decode(string scope, string cursor)
    {
        var dot = cursor.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0 || cursor.Length > PageRequest.MaxCursorLength) throw Invalid();
        byte[] payload, mac;
        try
        {
            payload = Base64Url.DecodeFromChars(cursor.AsSpan(0, dot));
            mac = Base64Url.DecodeFromChars(cursor.AsSpan(dot + 1));
        }
        catch (FormatException)
        {
            throw Invalid();
        }

        if (!CryptographicOperations.FixedTimeEquals(mac, Mac(payload))) throw Invalid();
        var text = Encoding.UTF8.GetString(payload);
        var newline = text.IndexOf('\n', StringComparison.Ordinal);
        if (newline < 0 || !text.AsSpan(0, newline).SequenceEqual(scope)) throw Invalid();
        return text[(newline + 1)..];
    }

    private byte[] Mac(byte[] payload) => HMACSHA256.HashData(key, payload)[..MacBytes];

    private static IptoException Invalid() => new(ErrorCodes.InvalidRequest, "The cursor is invalid or belongs to another list.");
}
