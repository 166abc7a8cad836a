using Ipto.Common;
using Ipto.Datasets;

namespace Ipto.Grains.Datasets;

/// <summary>Value rules of a dataset's pricing, checked on the merged result of a create or PATCH.</summary>
public static class PricingRules
{
    public static IReadOnlyList<FieldError> Validate(DatasetPricing p)
    {
        var errors = new List<FieldError>();
        void NonNegative(string field, long micros)
        {
            if (micros < 0) errors.Add(new FieldError($"pricing.{field}", "must not be negative"));
        }

        NonNegative("price_per_retrieval", p.PricePerRetrievalMicros);
        NonNegative("price_per_download", p.PricePerDownloadMicros);
        NonNegative("price_per_citation", p.PricePerCitationMicros);
        if (p.OutcomeSharePct is < 0 or > 100) errors.Add(new FieldError("pricing.outcome_share_pct", "must be between 0 and 100"));
        if (p.HalfLifeDays <= 0) errors.Add(new FieldError("pricing.half_life_days", "must be positive"));
        if (p.FloorRatio is < 0 or > 1) errors.Add(new FieldError("pricing.floor_ratio", "must be between 0 and 1"));
        if (p.ReferenceDailyQueries <= 0) errors.Add(new FieldError("pricing.reference_daily_queries", "must be positive"));
        if (p.Elasticity < 0) errors.Add(new FieldError("pricing.elasticity", "must not be negative"));
        if (p.MinMultiplier <= 0) errors.Add(new FieldError("pricing.min_multiplier", "must be positive"));
        if (p.MaxMultiplier <= 0) errors.Add(new FieldError("pricing.max_multiplier", "must be positive"));
        if (p.MinMultiplier > p.MaxMultiplier) errors.Add(new FieldError("pricing.min_multiplier", "must not exceed max_multiplier"));
        return errors;
    }
}
