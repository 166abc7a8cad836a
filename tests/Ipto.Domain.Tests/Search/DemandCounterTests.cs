using System.Globalization;
using Ipto.Grains.Datasets;

namespace Ipto.Domain.Tests.Search;

public sealed class DemandCounterTests
{
    private static DateTimeOffset At(string iso) => DateTimeOffset.Parse(iso, CultureInfo.InvariantCulture);

    private static readonly DateTimeOffset Now = At("2026-04-05T10:30:00Z");

    [Fact]
    public void CountsGoIntoOneBucketPerUtcHour()
    {
        var buckets = new Dictionary<long, long>();

        DemandCounter.Count(buckets, At("2026-04-05T10:00:00Z"));
        DemandCounter.Count(buckets, At("2026-04-05T10:59:59.999Z"));
        DemandCounter.Count(buckets, At("2026-04-05T11:00:00Z"));

        Assert.Equal(2, buckets.Count);
        Assert.Equal(2, buckets[DemandCounter.HourOf(Now)]);
        Assert.Equal(1, buckets[DemandCounter.HourOf(Now.AddHours(1))]);
    }

    [Fact]
    public void HoursAreUtcHoursWhateverTheOffsetOfTheInstant()
    {
        var buckets = new Dictionary<long, long>();

        // 05:15Z and 05:45Z, written in India's +05:30: local hours 10 and 11, one UTC hour.
        DemandCounter.Count(buckets, At("2026-04-05T10:45:00+05:30"));
        DemandCounter.Count(buckets, At("2026-04-05T11:15:00+05:30"));

        Assert.Equal(2, Assert.Single(buckets).Value);
        Assert.Equal(DemandCounter.HourOf(At("2026-04-05T05:00:00Z")), buckets.Keys.Single());
    }

    [Fact]
    public void Last24hSumsTheCurrentHourAndTheTwentyThreeBefore()
    {
        var hour = DemandCounter.HourOf(Now);
        var buckets = new Dictionary<long, long>
        {
            [hour + 1] = 1000,  // the future (clock skew) is not counted
            [hour] = 1,
            [hour - 1] = 2,
            [hour - 23] = 4,
            [hour - 24] = 8,    // 24 hours ago: outside
            [hour - 100] = 16,
        };

        Assert.Equal(7, DemandCounter.Last24h(buckets, Now));
        Assert.Equal(7, DemandCounter.Last24h(buckets, At("2026-04-05T10:00:00Z"))); // any instant of the same hour
        Assert.Equal(1000 + 1 + 2, DemandCounter.Last24h(buckets, Now.AddHours(1))); // an hour later the oldest hour leaves the window
    }

    [Fact]
    public void BucketsOlderThan24HoursAreDroppedWhenCounting()
    {
        var buckets = new Dictionary<long, long>();
        for (var h = 0; h < 48; h++) DemandCounter.Count(buckets, Now.AddHours(-47 + h));

        Assert.Equal(24, buckets.Count);
        Assert.Equal(DemandCounter.HourOf(Now) - 23, buckets.Keys.Min());
        Assert.Equal(24, DemandCounter.Last24h(buckets, Now));
    }

    [Fact]
    public void ACountAfterALongPauseClearsEverythingBefore()
    {
        var buckets = new Dictionary<long, long>();
        DemandCounter.Count(buckets, Now.AddHours(-23));
        DemandCounter.Count(buckets, Now.AddDays(-3));

        DemandCounter.Count(buckets, Now.AddHours(1));

        Assert.Equal([DemandCounter.HourOf(Now.AddHours(1))], buckets.Keys);
    }

    [Fact]
    public void TheWindowSlidesHourByHour()
    {
        var buckets = new Dictionary<long, long>();
        DemandCounter.Count(buckets, Now);

        Assert.Equal(1, DemandCounter.Last24h(buckets, Now.AddHours(23)));
        Assert.Equal(0, DemandCounter.Last24h(buckets, Now.AddHours(24)));
        Assert.Equal(0, DemandCounter.Last24h(buckets, Now.AddHours(-1)));
    }
}
