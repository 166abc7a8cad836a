namespace Ipto.Common;

/// <summary>
/// The resolved principal of a request, passed into every grain call so that grains re-check tenancy. For an API key,
/// <see cref="AllowedDatasetIds"/> is its allow-list (null: every dataset the tenant may use).
/// </summary>
[GenerateSerializer, Alias("Ipto.Caller")]
public sealed record Caller(
    [property: Id(0)] string TenantId,
    [property: Id(1)] string PrincipalId,
    [property: Id(2)] string PrincipalType,
    [property: Id(3)] IReadOnlyList<string> Scopes,
    [property: Id(4)] bool IsPlatformAdmin,
    [property: Id(5)] IReadOnlyList<string>? AllowedDatasetIds = null,
    [property: Id(6)] Ipto.ApiKeys.SpendLimit? SpendLimit = null)
{
    public bool Owns(string tenantId) => string.Equals(TenantId, tenantId, StringComparison.Ordinal);

    public bool CanRead(string tenantId) => IsPlatformAdmin || Owns(tenantId);
}
