using Ipto.ApiKeys;
using Ipto.Grains.Metering;
using Ipto.Search;

namespace Ipto.Grains.Spend;

/// <summary>
/// One API key's spend in its current period, kept in memory. The ledger is the durable record (every charge is a
/// committed access event before its response), so the counter rebuilds from it on activation and when the period
/// changes, instead of keeping state of its own. Reservations happen one at a time here, which makes the limit exact
/// under any concurrency.
/// </summary>
public sealed class SpendCounterGrain(ActivityReader ledger, TimeProvider time) : Grain, ISpendCounterGrain
{
    private string? _period;
    private long _spent;

    private string ApiKeyId => this.GetPrimaryKeyString();

    public async Task<SpendReservation> Reserve(SpendLimit limit, IReadOnlyList<long> pricesMicros)
    {
        var (period, start) = SpendPeriods.Current(limit.Period, time.GetUtcNow());
        if (period != _period)
        {
            _spent = await ledger.SpentMicrosAsync(ApiKeyId, start);
            _period = period;
        }

        var remaining = Math.Max(0, limit.AmountMicros - _spent);
        var admitted = 0;
        long reserved = 0;
        foreach (var price in pricesMicros)
        {
            if (price > remaining - reserved) break; // never overflows: 0 <= reserved <= remaining
            reserved += price;
            admitted++;
        }

        _spent += reserved;
        return new SpendReservation(admitted, reserved, remaining - reserved, period);
    }

    public Task Release(string period, long micros)
    {
        if (period == _period) _spent = Math.Max(0, _spent - micros);
        return Task.CompletedTask;
    }
}

/// <summary>Spend-limit periods in UTC: <c>day</c> (from midnight) and <c>month</c> (from the 1st).</summary>
public static class SpendPeriods
{
    public static (string Key, DateTimeOffset Start) Current(string period, DateTimeOffset now)
    {
        var utc = now.ToUniversalTime();
        return period == "day"
            ? ($"day:{utc:yyyy-MM-dd}", new DateTimeOffset(utc.Year, utc.Month, utc.Day, 0, 0, 0, TimeSpan.Zero))
            : ($"month:{utc:yyyy-MM}", new DateTimeOffset(utc.Year, utc.Month, 1, 0, 0, 0, TimeSpan.Zero));
    }
}
