using Ipto.Common;

namespace Ipto.Grains.Storage;

/// <summary>
/// Every keyset-paged list (SPEC §1): decode the cursor for the list's scope (a cursor of another list or filter is
/// refused), fetch <c>limit + 1</c> rows after that position, and answer the page with the next cursor when the extra
/// row came back.
/// </summary>
public sealed class KeysetPager(Cursors cursors)
{
    /// <param name="scope">What the cursor is valid for: the list, its tenant and its filters.</param>
    /// <param name="fetch">Rows in list order after a position (null: from the start), at most the given count.</param>
    public Task<Page<TRow>> PageAsync<TRow>(PageRequest request, string scope, Func<string?, int, Task<IReadOnlyList<TRow>>> fetch, Func<TRow, string> positionOf) =>
        PageWithTotalAsync(request, scope, async (after, take) => (await fetch(after, take), (long?)null), positionOf);

    /// <summary>As <see cref="PageAsync{TRow}"/>, for a list whose fetch also counts every row of the filter (the page's total).</summary>
    public async Task<Page<TRow>> PageWithTotalAsync<TRow>(PageRequest request, string scope,
        Func<string?, int, Task<(IReadOnlyList<TRow> Rows, long? Total)>> fetch, Func<TRow, string> positionOf)
    {
        request.EnsureValid();
        var codec = await cursors.CodecAsync();
        var after = request.Cursor is null ? null : codec.Decode(scope, request.Cursor);
        var (rows, total) = await fetch(after, request.Limit + 1);
        var hasMore = rows.Count > request.Limit;
        var items = hasMore ? rows.Take(request.Limit).ToArray() : rows.ToArray();
        return new Page<TRow>(items, hasMore ? codec.Encode(scope, positionOf(items[^1])) : null, hasMore, total);
    }
}
