namespace Ipto.Common;

/// <summary>
/// Money is integer micro-USD inside; USD with up to 6 decimals at the edges. Every amount that enters is capped, so
/// every price, sum and limit the platform computes fits a <see cref="long"/> with room to spare.
/// </summary>
public static class Money
{
    public const string Currency = "USD";
    public const long MicrosPerUnit = 1_000_000;

    /// <summary>A unit price (per retrieval, download, citation, or a search's max price per result): at most 1,000,000 USD.</summary>
    public const long MaxUnitPriceMicros = 1_000_000 * MicrosPerUnit;

    /// <summary>A limit or revenue (spend limits, totals): at most 1,000,000,000 USD.</summary>
    public const long MaxLimitMicros = 1_000_000_000 * MicrosPerUnit;

    /// <summary>
    /// Micros of a non-negative amount with at most 6 decimals and at most <paramref name="maxMicros"/>; false otherwise
    /// (decided before any multiplication, so no amount can overflow).
    /// </summary>
    public static bool TryToMicros(decimal amount, long maxMicros, out long micros)
    {
        micros = 0;
        if (amount < 0 || amount > (decimal)maxMicros / MicrosPerUnit) return false;
        var scaled = amount * MicrosPerUnit;
        if (scaled != decimal.Truncate(scaled)) return false;
        micros = (long)scaled;
        return true;
    }

    /// <summary>What is wrong with an amount as a field of a request, or null when it is a valid amount up to the cap.</summary>
    public static string? Issue(decimal amount, long maxMicros) => TryToMicros(amount, maxMicros, out _)
        ? null
        : $"must be an amount from 0 to {FromMicros(maxMicros):0} USD with at most 6 decimals";

    public static decimal FromMicros(long micros) => micros / (decimal)MicrosPerUnit;

    /// <summary>A checked sum of micro-dollar amounts: an overflow throws instead of wrapping into a wrong charge.</summary>
    public static long Sum(IEnumerable<long> micros)
    {
        long total = 0;
        foreach (var amount in micros) total = checked(total + amount);
        return total;
    }
}
