using Ipto.Grains.Payouts;
using Xunit;

namespace Ipto.Domain.Tests.Payouts;

public sealed class PayoutRulesTests
{
    [Theory]
    [InlineData(0L, "0.20", 0L)]
    [InlineData(10L, "0.20", 2L)]
    [InlineData(12L, "0.125", 2L)]  // 1.5 → 2 (even)
    [InlineData(20L, "0.125", 2L)]  // 2.5 → 2 (even)
    [InlineData(28L, "0.125", 4L)]  // 3.5 → 4 (even)
    [InlineData(7L, "0.20", 1L)]    // 1.4 → 1
    [InlineData(8L, "0.20", 2L)]    // 1.6 → 2
    [InlineData(1_000_000_000_000_000L, "1", 1_000_000_000_000_000L)]
    public void TheFeeRoundsHalfToEvenAndEarningsAreTheRest(long gross, string rate, long fee)
    {
        var r = decimal.Parse(rate, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(fee, PlatformFee.Of(gross, r));
        Assert.Equal(gross - fee, PlatformFee.EarningsOf(gross, r));
    }

    [Fact]
    public void ANegativeGrossOrARateOutsideZeroToOneIsRefused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => PlatformFee.Of(-1, 0.2m));
        Assert.Throws<ArgumentOutOfRangeException>(() => PlatformFee.Of(1, 1.01m));
        Assert.Throws<ArgumentOutOfRangeException>(() => PlatformFee.Of(1, -0.01m));
    }

    [Fact]
    public void MonthsAreUtcCalendarMonths()
    {
        var months = PayoutPeriods.Parse("month");
        var start = months.StartOf(DateTimeOffset.Parse("2026-12-31T23:59:59.999+00:00"));
        Assert.Equal(DateTimeOffset.Parse("2026-12-01T00:00:00Z"), start);
        Assert.Equal(DateTimeOffset.Parse("2027-01-01T00:00:00Z"), months.EndOf(start));
        Assert.Equal(DateTimeOffset.Parse("2027-01-01T00:00:00Z"), months.StartOf(DateTimeOffset.Parse("2026-12-31T20:00:00-05:00")));
        Assert.Equal("20261201T000000Z", PayoutPeriods.KeyOf(start));
    }

    [Fact]
    public void FixedPeriodsAlignToTheUnixEpoch()
    {
        var periods = PayoutPeriods.Parse("00:00:30");
        var start = periods.StartOf(DateTimeOffset.UnixEpoch.AddSeconds(95));
        Assert.Equal(DateTimeOffset.UnixEpoch.AddSeconds(90), start);
        Assert.Equal(DateTimeOffset.UnixEpoch.AddSeconds(120), periods.EndOf(start));
        Assert.Equal(DateTimeOffset.UnixEpoch.AddSeconds(120), periods.StartOf(DateTimeOffset.UnixEpoch.AddSeconds(120)));
        Assert.Equal(DateTimeOffset.UnixEpoch.AddSeconds(-30), periods.StartOf(DateTimeOffset.UnixEpoch.AddSeconds(-1)));
    }

    [Theory]
    [InlineData("weekly")]
    [InlineData("00:00:00")]
    [InlineData("-00:00:30")]
    [InlineData("")]
    public void AnUnknownPeriodSettingNamesTheSetting(string setting)
    {
        var error = Assert.Throws<InvalidOperationException>(() => PayoutPeriods.Parse(setting));
        Assert.Contains("Ipto:Payouts:Period", error.Message);
    }
}
