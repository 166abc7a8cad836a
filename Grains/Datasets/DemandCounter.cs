namespace Ipto.Grains.Datasets;

/// <summary>
/// Queries per UTC hour for the demand curve of SPEC §4: <see cref="Last24h"/> sums the current hour and the 23 before
/// it. Buckets older than that are dropped as new ones are counted, so the map never holds more than 24 entries.
/// </summary>
public static class DemandCounter
{
    public static long HourOf(DateTimeOffset at) => at.ToUnixTimeSeconds() / 3600;

    public static void Count(IDictionary<long, long> buckets, DateTimeOffset at)
    {
        var hour = HourOf(at);
        buckets[hour] = buckets.TryGetValue(hour, out var n) ? n + 1 : 1;
        foreach (var old in buckets.Keys.Where(h => h <= hour - 24).ToList()) buckets.Remove(old);
    }

    public static long Last24h(IReadOnlyDictionary<long, long> buckets, DateTimeOffset at)
    {
        var hour = HourOf(at);
        return buckets.Where(b => b.Key > hour - 24 && b.Key <= hour).Sum(b => b.Value);
    }
}
