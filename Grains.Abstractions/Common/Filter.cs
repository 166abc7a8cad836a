namespace Ipto.Common;

/// <summary>The checks of a list's filters (query parameters in REST, arguments elsewhere): 400 <c>invalid_request</c> naming the filter.</summary>
public static class Filter
{
    public static void OneOf(string name, string? value, IReadOnlyCollection<string> allowed)
    {
        if (value is not null && !allowed.Contains(value))
            throw Invalid($"Unknown {name} filter.", name, $"must be one of: {string.Join(", ", allowed)}");
    }

    public static void MaxLength(string name, string? value, int maxLength)
    {
        if (value is { Length: var length } && length > maxLength)
            throw Invalid($"{name} must be at most {maxLength} characters.", name, $"must be at most {maxLength} characters");
    }

    public static void Id(string name, string? value, string prefix, string what)
    {
        if (value is not null && !Ids.IsValid(value, prefix)) throw Invalid($"{name} is not {what}.", name, $"is not {what}");
    }

    public static IptoException Invalid(string message, string name, string issue) => new(ErrorCodes.InvalidRequest, message, [new FieldError(name, issue)]);
}
