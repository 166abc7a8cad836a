using System.Globalization;
using Ipto.Grains.Spend;

namespace Ipto.Domain.Tests.Search;

public sealed class SpendPeriodsTests
{
    private static DateTimeOffset At(string iso) => DateTimeOffset.Parse(iso, CultureInfo.InvariantCulture);

    private static void AssertUtc(string expectedIso, DateTimeOffset actual)
    {
        Assert.Equal(TimeSpan.Zero, actual.Offset);
        Assert.Equal(At(expectedIso), actual);
    }

    [Theory]
    [InlineData("2026-04-05T10:30:00Z", "day:2026-04-05", "2026-04-05T00:00:00Z")]
    [InlineData("2026-04-05T00:00:00Z", "day:2026-04-05", "2026-04-05T00:00:00Z")]
    [InlineData("2026-04-05T23:59:59.999Z", "day:2026-04-05", "2026-04-05T00:00:00Z")]
    [InlineData("2026-03-31T22:30:00-05:00", "day:2026-04-01", "2026-04-01T00:00:00Z")] // 03:30Z the next day
    [InlineData("2026-04-01T01:00:00+02:00", "day:2026-03-31", "2026-03-31T00:00:00Z")] // 23:00Z the day before
    [InlineData("2028-02-29T12:00:00Z", "day:2028-02-29", "2028-02-29T00:00:00Z")]
    public void DayRunsFromUtcMidnight(string now, string key, string start)
    {
        var (k, s) = SpendPeriods.Current("day", At(now));

        Assert.Equal(key, k);
        AssertUtc(start, s);
    }

    [Theory]
    [InlineData("2026-04-05T10:30:00Z", "month:2026-04", "2026-04-01T00:00:00Z")]
    [InlineData("2026-04-30T23:59:59.999Z", "month:2026-04", "2026-04-01T00:00:00Z")]
    [InlineData("2026-05-01T00:00:00Z", "month:2026-05", "2026-05-01T00:00:00Z")]
    [InlineData("2025-12-31T23:59:59Z", "month:2025-12", "2025-12-01T00:00:00Z")]
    [InlineData("2026-01-01T00:00:00Z", "month:2026-01", "2026-01-01T00:00:00Z")]
    [InlineData("2028-02-29T23:00:00Z", "month:2028-02", "2028-02-01T00:00:00Z")]
    [InlineData("2026-04-30T21:00:00-05:00", "month:2026-05", "2026-05-01T00:00:00Z")] // 02:00Z on May 1st
    [InlineData("2026-01-01T08:00:00+09:00", "month:2025-12", "2025-12-01T00:00:00Z")] // 23:00Z on New Year's Eve
    public void MonthRunsFromTheFirstAtUtcMidnight(string now, string key, string start)
    {
        var (k, s) = SpendPeriods.Current("month", At(now));

        Assert.Equal(key, k);
        AssertUtc(start, s);
    }

    [Fact]
    public void TheSameInstantHasTheSamePeriodWhateverItsOffset()
    {
        var utc = At("2026-02-28T23:30:00Z");

        foreach (var offset in new[] { -12, -5, 0, 1, 5.5, 14 })
        {
            var local = utc.ToOffset(TimeSpan.FromHours(offset));
            Assert.Equal(SpendPeriods.Current("day", utc), SpendPeriods.Current("day", local));
            Assert.Equal(SpendPeriods.Current("month", utc), SpendPeriods.Current("month", local));
        }
    }

    [Fact]
    public void ThePeriodStartIsNeverAfterNowAndTheKeyChangesAtTheNextStart()
    {
        var now = At("2026-04-30T23:59:59.999Z");

        foreach (var period in new[] { "day", "month" })
        {
            var (key, start) = SpendPeriods.Current(period, now);
            Assert.True(start <= now);
            Assert.Equal(key, SpendPeriods.Current(period, start).Key);
            Assert.NotEqual(key, SpendPeriods.Current(period, now.AddMilliseconds(1)).Key);
            Assert.NotEqual(key, SpendPeriods.Current(period, start.AddTicks(-1)).Key);
        }
    }
}
