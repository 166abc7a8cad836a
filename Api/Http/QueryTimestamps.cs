using System.Globalization;
using Ipto.Common;

namespace Ipto.Api.Http;

/// <summary>Timestamp query parameters (<c>from</c>, <c>to</c>): ISO 8601 with a zone, else 400 naming the parameter.</summary>
public static class QueryTimestamps
{
    public static DateTimeOffset? Parse(string name, string? value)
    {
        if (value is null) return null;
        if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal, out var parsed) && (value.EndsWith('Z') || value.Contains('+') || value.LastIndexOf('-') > 9))
            return parsed;
        throw new IptoException(ErrorCodes.InvalidRequest, $"{name} must be an ISO 8601 UTC timestamp such as 2026-04-05T10:00:00.000Z.",
            [new FieldError(name, "must be an ISO 8601 timestamp with a zone")]);
    }
}
