using Ipto.Common;

namespace Ipto.Datasets;

/// <summary>
/// Value rules of a dataset's pricing. Each field is checked on its own wherever it enters (so a request lists every
/// failing field at once), and the merged result of a create or PATCH is checked again with the cross-field rule.
/// The caps keep every effective price (base × multiplier) far inside a <see cref="long"/> of micro-dollars.
/// </summary>
public static class PricingRules
{
    public const decimal MaxHalfLifeDays = 36_500m;
    public const decimal MaxReferenceDailyQueries = 1_000_000_000_000m;
    public const decimal MaxElasticity = 10m;
    public const decimal MaxMultiplier = 100m;

    /// <summary>Every rule, on a complete pricing (the merged result).</summary>
    public static IReadOnlyList<FieldError> Validate(DatasetPricing p)
    {
        var errors = new List<FieldError>();
        CheckFields(errors, p.PricePerRetrievalMicros, p.PricePerDownloadMicros, p.PricePerCitationMicros, p.OutcomeSharePct, p.HalfLifeDays,
            p.FloorRatio, p.ReferenceDailyQueries, p.Elasticity, p.MinMultiplier, p.MaxMultiplier);
        if (p.MinMultiplier > p.MaxMultiplier) errors.Add(new FieldError("pricing.min_multiplier", "must not exceed max_multiplier"));
        return errors;
    }

    /// <summary>The rules of each field a patch sets, without the fields it leaves alone.</summary>
    public static IReadOnlyList<FieldError> ValidateFields(DatasetPricingPatch p)
    {
        var errors = new List<FieldError>();
        CheckFields(errors, p.PricePerRetrievalMicros, p.PricePerDownloadMicros, p.PricePerCitationMicros, p.OutcomeSharePct, p.HalfLifeDays,
            p.FloorRatio, p.ReferenceDailyQueries, p.Elasticity, p.MinMultiplier, p.MaxMultiplier);
        if (p is { MinMultiplier: { } min, MaxMultiplier: { } max } && min > max)
            errors.Add(new FieldError("pricing.min_multiplier", "must not exceed max_multiplier"));
        return errors;
    }

    private static void CheckFields(List<FieldError> errors, long? retrieval, long? download, long? citation, decimal? outcomeSharePct,
        decimal? halfLifeDays, decimal? floorRatio, decimal? referenceDailyQueries, decimal? elasticity, decimal? minMultiplier, decimal? maxMultiplier)
    {
        void Price(string field, long? micros)
        {
            if (micros is < 0 or > Money.MaxUnitPriceMicros)
                errors.Add(new FieldError($"pricing.{field}", $"must be between 0 and {Money.FromMicros(Money.MaxUnitPriceMicros):0} USD"));
        }

        void Between(string field, decimal? value, decimal min, decimal max, bool minExclusive = false)
        {
            if (value is not { } v || (minExclusive ? v > min : v >= min) && v <= max) return;
            errors.Add(new FieldError($"pricing.{field}", minExclusive ? $"must be greater than {min} and at most {max}" : $"must be between {min} and {max}"));
        }

        Price("price_per_retrieval", retrieval);
        Price("price_per_download", download);
        Price("price_per_citation", citation);
        Between("outcome_share_pct", outcomeSharePct, 0, 100);
        Between("half_life_days", halfLifeDays, 0, MaxHalfLifeDays, minExclusive: true);
        Between("floor_ratio", floorRatio, 0, 1);
        Between("reference_daily_queries", referenceDailyQueries, 0, MaxReferenceDailyQueries, minExclusive: true);
        Between("elasticity", elasticity, 0, MaxElasticity);
        Between("min_multiplier", minMultiplier, 0, MaxMultiplier, minExclusive: true);
        Between("max_multiplier", maxMultiplier, 0, MaxMultiplier, minExclusive: true);
    }
}
