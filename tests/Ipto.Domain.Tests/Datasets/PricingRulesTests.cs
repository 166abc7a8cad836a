using Ipto.Datasets;
using Ipto.Grains.Datasets;

namespace Ipto.Domain.Tests.Datasets;

public sealed class PricingRulesTests
{
    [Fact]
    public void DefaultsFollowTheSpecAndAreValid()
    {
        var p = DatasetPricing.Default;

        Assert.Equal(30_000, p.PricePerRetrievalMicros);
        Assert.Equal(100_000, p.PricePerDownloadMicros);
        Assert.Equal(10_000, p.PricePerCitationMicros);
        Assert.Equal(10m, p.OutcomeSharePct);
        Assert.Equal(30m, p.HalfLifeDays);
        Assert.Equal(0.2m, p.FloorRatio);
        Assert.Equal(1000m, p.ReferenceDailyQueries);
        Assert.Equal(0.5m, p.Elasticity);
        Assert.Equal(0.5m, p.MinMultiplier);
        Assert.Equal(3.0m, p.MaxMultiplier);
        Assert.Empty(PricingRules.Validate(p));
    }

    [Theory]
    [InlineData("price_per_retrieval")]
    [InlineData("price_per_download")]
    [InlineData("price_per_citation")]
    [InlineData("outcome_share_pct")]
    [InlineData("half_life_days")]
    [InlineData("floor_ratio")]
    [InlineData("reference_daily_queries")]
    [InlineData("elasticity")]
    [InlineData("max_multiplier")]
    public void EachBrokenRuleNamesItsField(string field)
    {
        var d = DatasetPricing.Default;
        var broken = field switch
        {
            "price_per_retrieval" => d with { PricePerRetrievalMicros = -1 },
            "price_per_download" => d with { PricePerDownloadMicros = -1 },
            "price_per_citation" => d with { PricePerCitationMicros = -1 },
            "outcome_share_pct" => d with { OutcomeSharePct = 100.5m },
            "half_life_days" => d with { HalfLifeDays = 0 },
            "floor_ratio" => d with { FloorRatio = 1.5m },
            "reference_daily_queries" => d with { ReferenceDailyQueries = 0 },
            "elasticity" => d with { Elasticity = -0.1m },
            _ => d with { MaxMultiplier = 0 },
        };

        Assert.Contains(PricingRules.Validate(broken), e => e.Field == "pricing." + field);
    }

    [Fact]
    public void MinMultiplierMayNotExceedMax() =>
        Assert.Contains(PricingRules.Validate(DatasetPricing.Default with { MinMultiplier = 4m }), e => e.Field == "pricing.min_multiplier");

    [Fact]
    public void BoundaryValuesAreAccepted() =>
        Assert.Empty(PricingRules.Validate(DatasetPricing.Default with { OutcomeSharePct = 100m, PricePerRetrievalMicros = 0, MinMultiplier = 3.0m }));

    [Fact]
    public void PatchMergesFieldByField()
    {
        var merged = new DatasetPricingPatch(50_000, null, null, null, 7m, null, null, null, null, null).ApplyTo(DatasetPricing.Default);

        Assert.Equal(DatasetPricing.Default with { PricePerRetrievalMicros = 50_000, HalfLifeDays = 7m }, merged);
    }
}
