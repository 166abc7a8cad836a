namespace Ipto.Common;

[GenerateSerializer, Alias("Ipto.FieldError")]
public sealed record FieldError([property: Id(0)] string Field, [property: Id(1)] string Issue);

/// <summary>A business-rule failure raised by a grain or the API; it crosses grain calls and maps to the error envelope.</summary>
[GenerateSerializer, Alias("Ipto.IptoException")]
public sealed class IptoException : Exception
{
    public IptoException(string code, string message, IReadOnlyList<FieldError>? details = null) : base(message)
    {
        Code = code;
        Details = details ?? [];
    }

    [Id(0)] public string Code { get; }
    [Id(1)] public IReadOnlyList<FieldError> Details { get; }

    public static IptoException NotFound(string what) => new(ErrorCodes.NotFound, $"{what} was not found.");

    public static IptoException InvalidTransition(string entity, string from, string to) =>
        new(ErrorCodes.InvalidStateTransition, $"The {entity} cannot go from '{from}' to '{to}'.");
}
