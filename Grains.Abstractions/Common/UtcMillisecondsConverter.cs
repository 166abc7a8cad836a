using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Ipto.Common;

/// <summary>SPEC timestamps on the wire (the API's bodies and webhook event data): UTC, <c>Z</c>, milliseconds.</summary>
public sealed class UtcMillisecondsConverter : JsonConverter<DateTimeOffset>
{
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var text = reader.GetString();
        if (text is null || !DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var value)
            || !(text.EndsWith('Z') || text.Contains('+') || text.LastIndexOf('-') > 9))
            throw new JsonException("Expected an ISO 8601 timestamp with a time zone, e.g. 2026-04-05T10:00:00.000Z.");
        return value;
    }

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
        writer.WriteStringValue(Format(value));

    /// <summary>SPEC timestamps: UTC, <c>Z</c>, exactly three fractional digits.</summary>
    public static string Format(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}
