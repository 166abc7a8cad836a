using Ipto.Common;
using Ipto.Datasets;

namespace Ipto.Grains.Datasets;

/// <summary>
/// The per-result retrieval price of SPEC §4, in integer micro-USD (rounded half away from zero):
/// fixed → base; time_decay → base × max(floor_ratio, 0.5^(age_days / half_life_days)) with age from the object's
/// approval; demand_curve → base × clamp((queries_last_24h / reference_daily_queries)^elasticity, min, max).
/// </summary>
public static class EffectivePrice
{
    public static long RetrievalMicros(string pricingModel, DatasetPricing pricing, double objectAgeDays, long queriesLast24h)
    {
        var multiplier = pricingModel switch
        {
            "time_decay" => Math.Max((double)pricing.FloorRatio, Math.Pow(0.5, Math.Max(0, objectAgeDays) / (double)pricing.HalfLifeDays)),
            "demand_curve" => Math.Clamp(Math.Pow(Math.Max(0, queriesLast24h) / (double)pricing.ReferenceDailyQueries, (double)pricing.Elasticity),
                (double)pricing.MinMultiplier, (double)pricing.MaxMultiplier),
            _ => 1.0,
        };
        // The caps hold for every pricing a request can set; clamping here also covers state written before them,
        // so the product (at most 10^14 micros) can never overflow a charge or a sum of charges.
        if (!double.IsFinite(multiplier)) multiplier = 1.0;
        var factor = (decimal)Math.Clamp(multiplier, 0, (double)PricingRules.MaxMultiplier);
        var basePrice = Math.Clamp(pricing.PricePerRetrievalMicros, 0, Money.MaxUnitPriceMicros);
        return (long)Math.Round(basePrice * factor, MidpointRounding.AwayFromZero);
    }
}
