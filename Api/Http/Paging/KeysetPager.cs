namespace Ipto.Api.Http.Paging;

/// <summary>
/// Every keyset-paged list (SPEC §1): validate <c>limit</c> and <c>cursor</c>, decode the cursor for the list's scope
/// (a cursor of another list or filter is refused), fetch <c>limit + 1</c> rows after that position, and answer the
/// page with the next cursor when the extra row came back.
/// </summary>
public sealed class KeysetPager(CursorCodecProvider codecs)
{
    /// <param name="scope">What the cursor is valid for: the list, its tenant and its filters.</param>
    /// <param name="fetch">Rows in list order after a position (null: from the start), at most the given count.</param>
    public Task<Page<TItem>> PageAsync<TRow, TItem>(string? limit, string? cursor, string scope,
        Func<string?, int, Task<IReadOnlyList<TRow>>> fetch, Func<TRow, string> positionOf, Func<TRow, TItem> toItem) =>
        PageWithTotalAsync(limit, cursor, scope, async (after, take) => (await fetch(after, take), (long?)null), positionOf, toItem);

    /// <summary>As <see cref="PageAsync{TRow,TItem}"/>, for a list whose fetch also counts every row of the filter (the page's total).</summary>
    public async Task<Page<TItem>> PageWithTotalAsync<TRow, TItem>(string? limit, string? cursor, string scope,
        Func<string?, int, Task<(IReadOnlyList<TRow> Rows, long? Total)>> fetch, Func<TRow, string> positionOf, Func<TRow, TItem> toItem)
    {
        var request = PageRequest.Parse(limit, cursor);
        var codec = await codecs.GetAsync();
        var after = request.Cursor is null ? null : codec.Decode(scope, request.Cursor);
        var (rows, total) = await fetch(after, request.Limit + 1);
        var page = request.ToPage(rows, positionOf, codec, scope, total);
        return new Page<TItem>(page.Items.Select(toItem).ToArray(), page.NextCursor, page.HasMore, page.Total);
    }
}
