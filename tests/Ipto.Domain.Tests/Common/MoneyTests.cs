using Ipto.Common;
using Ipto.Datasets;
using Ipto.Grains.Datasets;

namespace Ipto.Domain.Tests.Common;

public sealed class MoneyTests
{
    [Theory]
    [InlineData("0", 0L)]
    [InlineData("0.000001", 1L)]
    [InlineData("0.03", 30_000L)]
    [InlineData("1000000", 1_000_000_000_000L)]
    public void AmountsUpToTheCapBecomeMicros(string amount, long micros)
    {
        Assert.True(Money.TryToMicros(decimal.Parse(amount, System.Globalization.CultureInfo.InvariantCulture), Money.MaxUnitPriceMicros, out var result));
        Assert.Equal(micros, result);
    }

    [Theory]
    [InlineData("1000000.000001")]
    [InlineData("100000000000000000000000")]
    [InlineData("79228162514264337593543950335")]
    [InlineData("-0.000001")]
    [InlineData("0.0000001")]
    public void AmountsBeyondTheCapOrPrecisionAreRefusedWithoutThrowing(string amount)
    {
        var value = decimal.Parse(amount, System.Globalization.CultureInfo.InvariantCulture);

        Assert.False(Money.TryToMicros(value, Money.MaxUnitPriceMicros, out _));
        Assert.NotNull(Money.Issue(value, Money.MaxUnitPriceMicros));
    }

    [Fact]
    public void LimitsHaveTheirOwnCap()
    {
        Assert.True(Money.TryToMicros(1_000_000_000m, Money.MaxLimitMicros, out var micros));
        Assert.Equal(Money.MaxLimitMicros, micros);
        Assert.False(Money.TryToMicros(1_000_000_000.000001m, Money.MaxLimitMicros, out _));
    }

    [Fact]
    public void SumsAreChecked()
    {
        Assert.Equal(60_000, Money.Sum([30_000, 30_000]));
        Assert.Throws<OverflowException>(() => Money.Sum([long.MaxValue, 1]));
    }

    [Theory]
    [InlineData("fixed")]
    [InlineData("time_decay")]
    [InlineData("demand_curve")]
    public void AnEffectivePriceStaysWithinTheCapsEvenForPricingWrittenBeforeThem(string model)
    {
        var legacy = DatasetPricing.Default with { PricePerRetrievalMicros = long.MaxValue, MinMultiplier = 1e20m, MaxMultiplier = 1e21m, FloorRatio = 1e20m };

        var price = EffectivePrice.RetrievalMicros(model, legacy, objectAgeDays: 1, queriesLast24h: long.MaxValue);

        Assert.InRange(price, 0, Money.MaxUnitPriceMicros * (long)PricingRules.MaxMultiplier);
        // 200 results per search session at that price still sum without overflow.
        Assert.Equal(price * 200, Money.Sum(Enumerable.Repeat(price, 200)));
    }

    [Fact]
    public void PricingFieldsAreCheckedOnTheirOwnAndCapped()
    {
        var patch = new DatasetPricingPatch(-1, null, null, 101m, null, null, null, 1e23m, null, 1e23m);

        var fields = PricingRules.ValidateFields(patch).Select(e => e.Field).ToArray();

        Assert.Equal(["pricing.price_per_retrieval", "pricing.outcome_share_pct", "pricing.elasticity", "pricing.max_multiplier"], fields);
        Assert.Empty(PricingRules.ValidateFields(new DatasetPricingPatch(null, null, null, null, null, null, null, null, 5m, null)));
    }
}
