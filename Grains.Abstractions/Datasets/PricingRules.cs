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

    /// <summary>The range of each non-price pricing field, by its request field name (the OpenAPI document shows these too).</summary>
    public static readonly IReadOnlyDictionary<string, PricingRange> Ranges = new Dictionary<string, PricingRange>(StringComparer.Ordinal)
    {
        ["outcome_share_pct"] = new(0, 100),
        ["half_life_days"] = new(0, MaxHalfLifeDays, MinExclusive: true),
        ["floor_ratio"] = new(0, 1),
        ["reference_daily_queries"] = new(0, MaxReferenceDailyQueries, MinExclusive: true),
        ["elasticity"] = new(0, MaxElasticity),
        ["min_multiplier"] = new(0, MaxMultiplier, MinExclusive: true),
        ["max_multiplier"] = new(0, MaxMultiplier, MinExclusive: true),
    };

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

        void Between(string field, decimal? value)
        {
            var (min, max, minExclusive) = Ranges[field];
            if (value is not { } v || (minExclusive ? v > min : v >= min) && v <= max) return;
            errors.Add(new FieldError($"pricing.{field}", minExclusive ? $"must be greater than {min} and at most {max}" : $"must be between {min} and {max}"));
        }

        Price("price_per_retrieval", retrieval);
        Price("price_per_download", download);
        Price("price_per_citation", citation);
        Between("outcome_share_pct", outcomeSharePct);
        Between("half_life_days", halfLifeDays);
        Between("floor_ratio", floorRatio);
        Between("reference_daily_queries", referenceDailyQueries);
        Between("elasticity", elasticity);
        Between("min_multiplier", minMultiplier);
        Between("max_multiplier", maxMultiplier);
    }
}

/// <summary>A closed decimal range, or half-open above <see cref="Min"/> when <see cref="MinExclusive"/>.</summary>
public readonly record struct PricingRange(decimal Min, decimal Max, bool MinExclusive = false);
