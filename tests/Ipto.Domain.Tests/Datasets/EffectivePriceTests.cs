using Ipto.Datasets;
using Ipto.Grains.Datasets;

namespace Ipto.Domain.Tests.Datasets;

public sealed class EffectivePriceTests
{
    private static readonly DatasetPricing Pricing = DatasetPricing.Default; // 0.03 per retrieval

    [Fact]
    public void FixedIsTheBasePrice() => Assert.Equal(30_000, EffectivePrice.RetrievalMicros("fixed", Pricing, 400, 1_000_000));

    [Theory]
    [InlineData(0, 30_000)]
    [InlineData(30, 15_000)]
    [InlineData(60, 7_500)]
    [InlineData(300, 6_000)] // floor: 0.2 × base
    [InlineData(-5, 30_000)] // approval in the future (clock skew) counts as new
    public void TimeDecayHalvesEveryHalfLifeDownToTheFloor(double ageDays, long micros) =>
        Assert.Equal(micros, EffectivePrice.RetrievalMicros("time_decay", Pricing, ageDays, 0));

    [Theory]
    [InlineData(1000, 30_000)]  // at the reference volume: ×1
    [InlineData(4000, 60_000)]  // (4)^0.5 = 2
    [InlineData(100_000, 90_000)] // capped at ×3
    [InlineData(0, 15_000)]     // floored at ×0.5
    [InlineData(250, 15_000)]   // (0.25)^0.5 = 0.5
    public void DemandCurveFollowsVolumeWithinTheMultipliers(long queries, long micros) =>
        Assert.Equal(micros, EffectivePrice.RetrievalMicros("demand_curve", Pricing, 0, queries));

    [Fact]
    public void PricesRoundToTheMicroDollar() =>
        Assert.Equal(10_001, EffectivePrice.RetrievalMicros("time_decay", Pricing with { PricePerRetrievalMicros = 20_001 }, 30, 0)); // 10,000.5 rounds half away from zero

    [Theory]
    [InlineData(10, 15_000)]
    [InlineData(20, 7_500)] // the dataset's own half-life (10 days), not the default 30
    [InlineData(30, 3_750)]
    [InlineData(40, 3_000)] // 0.0625 is below the dataset's floor of 0.1
    public void TimeDecayUsesTheDatasetsHalfLifeAndFloor(double ageDays, long micros) =>
        Assert.Equal(micros, EffectivePrice.RetrievalMicros("time_decay", Pricing with { HalfLifeDays = 10m, FloorRatio = 0.1m }, ageDays, 0));

    [Fact]
    public void TimeDecayNeverGoesBelowTheFloorHoweverOld() =>
        Assert.Equal(6_000, EffectivePrice.RetrievalMicros("time_decay", Pricing, 1_000_000, 0));

    [Theory]
    [InlineData(4000, 45_000)]  // 2× capped at the dataset's 1.5
    [InlineData(10, 24_000)]    // 0.1× floored at the dataset's 0.8
    [InlineData(-50, 24_000)]   // a negative count counts as none
    public void DemandCurveClampsToTheDatasetsMultipliers(long queries, long micros) =>
        Assert.Equal(micros, EffectivePrice.RetrievalMicros("demand_curve", Pricing with { MinMultiplier = 0.8m, MaxMultiplier = 1.5m }, 0, queries));

    [Fact]
    public void DemandCurveWithElasticityOneIsLinearInVolume() =>
        Assert.Equal(45_000, EffectivePrice.RetrievalMicros("demand_curve", Pricing with { Elasticity = 1m }, 0, 1500));

    [Fact]
    public void DecayAndDemandInputsDoNotAffectOtherModels()
    {
        Assert.Equal(30_000, EffectivePrice.RetrievalMicros("time_decay", Pricing, 0, 1_000_000));
        Assert.Equal(30_000, EffectivePrice.RetrievalMicros("demand_curve", Pricing, 10_000, 1000));
    }
}
