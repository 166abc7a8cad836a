using Ipto.Grains.Spend;

namespace Ipto.Domain.Tests.Spend;

public sealed class SpendPeriodsTests
{
    [Fact]
    public void PeriodsAreUtcDaysAndMonths()
    {
        var late = new DateTimeOffset(2026, 12, 1, 1, 30, 0, TimeSpan.FromHours(5)); // 2026-11-30 20:30 UTC

        Assert.Equal(("day:2026-11-30", new DateTimeOffset(2026, 11, 30, 0, 0, 0, TimeSpan.Zero)), SpendPeriods.Current("day", late));
        Assert.Equal(("month:2026-11", new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero)), SpendPeriods.Current("month", late));
        Assert.Equal("month:2027-01", SpendPeriods.Current("month", new DateTimeOffset(2027, 1, 1, 0, 0, 0, TimeSpan.Zero)).Key);
    }
}
