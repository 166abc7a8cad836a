using Ipto.Common;

namespace Ipto.Api.Http;

/// <summary>A request body that checks its own field rules; every failing field is reported at once.</summary>
public interface IValidatable
{
    void Validate(ValidationErrors errors);
}

public sealed class ValidationErrors
{
    private readonly List<FieldError> _errors = [];

    public IReadOnlyList<FieldError> All => _errors;
    public bool Any => _errors.Count > 0;

    public void Add(string field, string issue) => _errors.Add(new FieldError(field, issue));

    public void Required(string field, object? value)
    {
        if (value is null || value is string s && string.IsNullOrWhiteSpace(s)) Add(field, "is required");
    }

    public void Length(string field, string? value, int min, int max)
    {
        if (value is null) return;
        if (value.Length < min) Add(field, min == 1 ? "must not be empty" : $"must be at least {min} characters");
        else if (value.Length > max) Add(field, $"must be at most {max} characters");
    }

    public void Range(string field, long? value, long min, long max)
    {
        if (value is not null && (value < min || value > max)) Add(field, $"must be between {min} and {max}");
    }

    public void OneOf(string field, string? value, params string[] allowed)
    {
        if (value is not null && !allowed.Contains(value, StringComparer.Ordinal)) Add(field, $"must be one of: {string.Join(", ", allowed)}");
    }

    public void ThrowIfAny()
    {
        if (Any) throw new IptoException(ErrorCodes.ValidationFailed, "The request has invalid fields.", _errors.ToArray());
    }
}
