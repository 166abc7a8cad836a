using System.Globalization;

namespace Ipto.Common;

/// <summary>
/// What page of a list to answer (SPEC §1): at most <see cref="Limit"/> items after the opaque <see cref="Cursor"/>
/// (null: from the start). Every list grain takes one; the cursor is decoded, and refused when it belongs to another
/// list or filter, by the grain.
/// </summary>
[GenerateSerializer, Alias("Ipto.PageRequest")]
public sealed record PageRequest([property: Id(0)] int Limit, [property: Id(1)] string? Cursor)
{
    public const int MinLimit = 1;
    public const int DefaultLimit = 20;
    public const int MaxLimit = 100;
    public const int MaxCursorLength = 2048;

    public static readonly PageRequest First = new(DefaultLimit, null);

    /// <summary>The <c>limit</c> and <c>cursor</c> query parameters as a request sends them; 400 for a bad limit.</summary>
    public static PageRequest Parse(string? limit, string? cursor)
    {
        var value = DefaultLimit;
        if (limit is not null && (!int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out value) || value is < MinLimit or > MaxLimit))
            throw InvalidLimit();
        return new PageRequest(value, cursor is { Length: 0 } ? null : cursor);
    }

    /// <summary>For a request built in code (an internal tool, a tool call): 400 unless the limit is 1 to <see cref="MaxLimit"/>.</summary>
    public void EnsureValid()
    {
        if (Limit is < MinLimit or > MaxLimit) throw InvalidLimit();
    }

    private static IptoException InvalidLimit() => new(ErrorCodes.InvalidRequest, $"limit must be an integer from {MinLimit} to {MaxLimit}.",
        [new FieldError("limit", $"must be an integer from {MinLimit} to {MaxLimit}")]);
}

/// <summary>A keyset page: <c>items</c>, <c>next_cursor</c>, <c>has_more</c> and, where cheap, <c>total</c>.</summary>
[GenerateSerializer, Alias("Ipto.Page`1")]
public sealed record Page<T>(
    [property: Id(0)] IReadOnlyList<T> Items,
    [property: Id(1)] string? NextCursor,
    [property: Id(2)] bool HasMore,
    [property: Id(3)] long? Total = null)
{
    /// <summary>A whole, unpaged list as one page.</summary>
    public static Page<T> All(IReadOnlyList<T> items) => new(items, null, false, items.Count);

    public Page<TOut> Map<TOut>(Func<T, TOut> map) => new(Items.Select(map).ToArray(), NextCursor, HasMore, Total);
}
