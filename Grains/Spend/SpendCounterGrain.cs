using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Ipto.ApiKeys;
using Ipto.Common;
using Ipto.Grains.Metering;
using Ipto.Grains.Outbox;
using Ipto.Grains.Storage;
using Ipto.Search;

namespace Ipto.Grains.Spend;

/// <summary>
/// One API key's spend in its current period, kept in memory. The ledger is the durable record (every charge is a
/// committed access event before its response), so the counter rebuilds from it on activation and when the period
/// changes, instead of keeping state of its own. Reservations happen one at a time here, which makes the limit exact
/// under any concurrency.
/// <para>
/// Crossing 80% or 100% of the limit records <c>spend.threshold_reached</c> in the outbox before the reservation is
/// answered, under an id made from the key, period and threshold, so it exists once per key and period. A rebuild from
/// the ledger records every threshold the rebuilt spend has reached again (a no-op when it is there), so an event lost
/// to a crash between the charge and the record is made by the next activation.
/// </para>
/// </summary>
public sealed class SpendCounterGrain(ActivityReader ledger, AppDatabase database, TimeProvider time) : Grain, ISpendCounterGrain
{
    private string? _period;
    private long _spent;

    private string ApiKeyId => this.GetPrimaryKeyString();

    public static readonly IReadOnlyList<int> ThresholdPercents = [80, 100];

    public async Task<SpendReservation> Reserve(string tenantId, SpendLimit limit, IReadOnlyList<long> pricesMicros)
    {
        var (period, start) = SpendPeriods.Current(limit.Period, time.GetUtcNow());
        long before;
        if (period != _period)
        {
            _spent = await ledger.SpentMicrosAsync(ApiKeyId, start);
            _period = period;
            before = 0;
        }
        else
        {
            before = _spent;
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
        await RecordThresholdsAsync(tenantId, limit, period, start, before, _spent);
        return new SpendReservation(admitted, reserved, remaining - reserved, period);
    }

    private async Task RecordThresholdsAsync(string tenantId, SpendLimit limit, string period, DateTimeOffset start, long before, long after)
    {
        var crossed = new List<OutboxEvent>();
        foreach (var pct in ThresholdPercents)
        {
            var threshold = (long)((Int128)limit.AmountMicros * pct / 100);
            if (before >= threshold || after < threshold || threshold == 0) continue;
            var data = new SpendThresholdData(ApiKeyId, tenantId, period, pct, Money.FromMicros(after), Money.FromMicros(limit.AmountMicros), Money.Currency);
            var seed = SHA256.HashData(Encoding.UTF8.GetBytes($"{ApiKeyId}|{period}|{pct}"));
            crossed.Add(new OutboxEvent(Ids.Derived(IdPrefixes.Event, start, seed), SpendEventTypes.ThresholdReached, tenantId, ApiKeyId,
                time.GetUtcNow(), JsonSerializer.Serialize(data, EventJson.Default.SpendThresholdData)));
        }

        await OutboxWriter.AppendAsync(database, crossed);
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
