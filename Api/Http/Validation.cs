using System.Globalization;
using System.Text.RegularExpressions;
using Ipto.Common;
using Ipto.Identity;

namespace Ipto.Api.Http;

/// <summary>A request body that checks its own field rules; every failing field is reported at once.</summary>
public interface IValidatable
{
    void Validate(ValidationErrors errors);
}

/// <summary>
/// What a rule checks, as the OpenAPI document shows it. Every helper below reports its rule to an optional observer
/// whatever the value (a requirement: when the field is missing), so running a body's <see cref="IValidatable.Validate"/>
/// on empty probes describes the body: the document is derived from the very calls that enforce it
/// (Ipto.Api.Http.OpenApi.RequestContracts).
/// </summary>
public sealed record FieldRule
{
    public bool Required { get; init; }
    public int? MinLength { get; init; }
    public int? MaxLength { get; init; }
    public decimal? Minimum { get; init; }
    public decimal? Maximum { get; init; }
    public bool ExclusiveMinimum { get; init; }
    public IReadOnlyList<string>? OneOf { get; init; }
    public string? Pattern { get; init; }
    public string? Format { get; init; }
    public int? MinItems { get; init; }
    public int? MaxItems { get; init; }
    /// <summary>The rule of every item of a list.</summary>
    public FieldRule? Items { get; init; }
    /// <summary>The issue the rule reports, for rules a schema keyword cannot say (a money amount's decimals).</summary>
    public string? Note { get; init; }
}

public sealed class ValidationErrors(Action<string, FieldRule>? observer = null)
{
    private readonly List<FieldError> _errors = [];

    public IReadOnlyList<FieldError> All => _errors;
    public bool Any => _errors.Count > 0;

    public void Add(string field, string issue) => _errors.Add(new FieldError(field, issue));

    /// <summary>Tells the observer of a rule that another component enforces (the dataset grain's pricing ranges).</summary>
    public void Describe(string field, FieldRule rule) => observer?.Invoke(field, rule);

    /// <summary>A field that must be sent. The observer hears of it when it is missing, so a field required only in some cases shows as such.</summary>
    public void Required(string field, object? value)
    {
        var missing = value is null || value is string s && string.IsNullOrWhiteSpace(s);
        if (!missing) return;
        Describe(field, new FieldRule { Required = true });
        Add(field, "is required");
    }

    public void Length(string field, string? value, int min, int max)
    {
        Describe(field, new FieldRule { MinLength = min, MaxLength = max });
        if (value is null) return;
        if (value.Length < min) Add(field, min == 1 ? "must not be empty" : $"must be at least {min} characters");
        else if (value.Length > max) Add(field, $"must be at most {max} characters");
    }

    public void Range(string field, long? value, long min, long max, string? issue = null)
    {
        Describe(field, new FieldRule { Minimum = min, Maximum = max == long.MaxValue ? null : max });
        if (value is not null && (value < min || value > max)) Add(field, issue ?? $"must be between {min} and {max}");
    }

    public void Range(string field, double? value, double min, double max)
    {
        Describe(field, new FieldRule { Minimum = (decimal)min, Maximum = (decimal)max });
        if (value is { } v && (double.IsNaN(v) || v < min || v > max))
            Add(field, $"must be between {min.ToString(CultureInfo.InvariantCulture)} and {max.ToString(CultureInfo.InvariantCulture)}");
    }

    public void OneOf(string field, string? value, params string[] allowed)
    {
        Describe(field, new FieldRule { OneOf = allowed });
        if (value is not null && !allowed.Contains(value, StringComparer.Ordinal)) Add(field, $"must be one of: {string.Join(", ", allowed)}");
    }

    /// <summary>A money amount in USD: from 0 to the cap, at most 6 decimals (<see cref="Money"/>).</summary>
    public void Amount(string field, decimal? value, long maxMicros)
    {
        Describe(field, new FieldRule { Minimum = 0, Maximum = Money.FromMicros(maxMicros), Note = "at most 6 decimals" });
        if (value is { } amount && Money.Issue(amount, maxMicros) is { } issue) Add(field, issue);
    }

    /// <summary>As <see cref="Amount"/>, and greater than zero.</summary>
    public void PositiveAmount(string field, decimal? value, long maxMicros)
    {
        Describe(field, new FieldRule { Minimum = 0, ExclusiveMinimum = true, Maximum = Money.FromMicros(maxMicros), Note = "at most 6 decimals" });
        if (value is not { } amount) return;
        if (amount <= 0) Add(field, "must be greater than 0");
        else if (Money.Issue(amount, maxMicros) is { } issue) Add(field, issue);
    }

    public void Email(string field, string? value)
    {
        Describe(field, new FieldRule { Format = "email", MaxLength = EmailAddress.MaxLength });
        if (value is not null && !EmailAddress.IsValid(value)) Add(field, $"must be a valid email address of at most {EmailAddress.MaxLength} characters");
    }

    public void Matches(string field, string? value, Regex pattern, string issue)
    {
        Describe(field, new FieldRule { Pattern = pattern.ToString() });
        if (value is not null && !pattern.IsMatch(value)) Add(field, issue);
    }

    /// <summary>A list that must be sent with at least one item.</summary>
    public void NotEmpty<T>(string field, IReadOnlyList<T>? values, string issue)
    {
        Describe(field, new FieldRule { MinItems = 1 });
        if (values is not null && values.Count > 0) return;
        Describe(field, new FieldRule { Required = true });
        Add(field, issue);
    }

    public void MaxItems<T>(string field, IReadOnlyList<T>? values, int max, string issue)
    {
        Describe(field, new FieldRule { MaxItems = max });
        if (values is not null && values.Count > max) Add(field, issue);
    }

    /// <summary>Each item (of the first <paramref name="checkedItems"/>) is one of <paramref name="allowed"/>; a null item is reported as <paramref name="nullIssue"/>.</summary>
    public void EachOneOf(string field, IReadOnlyList<string?>? values, IReadOnlyList<string> allowed, string? issue = null, string? nullIssue = null,
        int checkedItems = int.MaxValue)
    {
        Describe(field, new FieldRule { Items = new FieldRule { OneOf = allowed } });
        if (values is null) return;
        for (var i = 0; i < values.Count && i < checkedItems; i++)
        {
            if (values[i] is not { } value) Add($"{field}[{i}]", nullIssue ?? issue ?? $"must be one of: {string.Join(", ", allowed)}");
            else if (!allowed.Contains(value, StringComparer.Ordinal)) Add($"{field}[{i}]", issue ?? $"must be one of: {string.Join(", ", allowed)}");
        }
    }

    /// <summary>Each item (of the first <paramref name="checkedItems"/>) is text of <paramref name="min"/> to <paramref name="max"/> characters, not blank unless <paramref name="allowBlank"/>.</summary>
    public void EachText(string field, IReadOnlyList<string?>? values, int min, int max, string issue, string? nullIssue = null, int checkedItems = int.MaxValue,
        bool allowBlank = false)
    {
        Describe(field, new FieldRule { Items = new FieldRule { MinLength = min, MaxLength = max } });
        if (values is null) return;
        for (var i = 0; i < values.Count && i < checkedItems; i++)
        {
            if (values[i] is not { } value) Add($"{field}[{i}]", nullIssue ?? issue);
            else if (!allowBlank && string.IsNullOrWhiteSpace(value) || value.Length < min || value.Length > max) Add($"{field}[{i}]", issue);
        }
    }

    public void ThrowIfAny()
    {
        if (Any) throw new IptoException(ErrorCodes.ValidationFailed, "The request has invalid fields.", _errors.ToArray());
    }
}
