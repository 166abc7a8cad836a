using Ipto.Datasets;
using Ipto.Grains.Billing;

namespace Ipto.Domain.Tests.Billing;

public sealed class OutcomeShareTests
{
    private static DatasetTerms Terms(string mode, decimal pct) =>
        new("dset_x", "tnt_p", "X", mode, DatasetPricing.Default with { OutcomeSharePct = pct }, true);

    [Theory]
    [InlineData(50_000_000, 10, 5_000_000)]
    [InlineData(16_666_666, 10, 1_666_666)] // 1,666,666.6 rounds down
    [InlineData(1, 10, 0)]
    [InlineData(999_999, 33.333333, 333_332)] // 333,332.99966… rounds down
    [InlineData(1_000_000_000_000_000, 100, 1_000_000_000_000_000)]
    public void AnOutcomeShareDatasetEarnsItsPercentageRoundedDown(long share, double pct, long expected) =>
        Assert.Equal(expected, OutcomeGrain.ProviderShare(share, Terms("outcome_share", (decimal)pct)));

    [Theory]
    [InlineData("open")]
    [InlineData("premium")]
    public void OtherDatasetsEarnNothingFromOutcomes(string mode) => Assert.Equal(0, OutcomeGrain.ProviderShare(50_000_000, Terms(mode, 10)));

    [Fact]
    public void AMissingDatasetEarnsNothing() => Assert.Equal(0, OutcomeGrain.ProviderShare(50_000_000, null));
}
