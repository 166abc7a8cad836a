using System.Globalization;
using Ipto.Common;

namespace Ipto.Api.Http.Paging;

/// <summary>The <c>limit</c> and <c>cursor</c> query parameters of every list, validated per SPEC §1.</summary>
public sealed record PageRequest(int Limit, string? Cursor)
{
    public const int MinLimit = 1;
    public const int DefaultLimit = 20;
    public const int MaxLimit = 100;

    public static PageRequest Parse(string? limit, string? cursor)
    {
        var value = DefaultLimit;
        if (limit is not null && (!int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out value) || value is < MinLimit or > MaxLimit))
            throw new IptoException(ErrorCodes.InvalidRequest, $"limit must be an integer from {MinLimit} to {MaxLimit}.",
                [new FieldError("limit", $"must be an integer from {MinLimit} to {MaxLimit}")]);
        if (cursor is { Length: 0 }) cursor = null;
        return new PageRequest(value, cursor);
    }

    /// <summary>Builds a page from up to <c>Limit + 1</c> rows fetched in order: the extra row only says there is more.</summary>
    public Page<T> ToPage<T>(IReadOnlyList<T> rows, Func<T, string> positionOf, CursorCodec codec, string scope, long? total = null)
    {
        var hasMore = rows.Count > Limit;
        var items = hasMore ? rows.Take(Limit).ToArray() : rows.ToArray();
        var next = hasMore ? codec.Encode(scope, positionOf(items[^1])) : null;
        return new Page<T>(items, next, hasMore, total);
    }
}
