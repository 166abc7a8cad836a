namespace Ipto.Common;

/// <summary>The resolved principal of a request, passed into every grain call so that grains re-check tenancy.</summary>
[GenerateSerializer, Alias("Ipto.Caller")]
public sealed record Caller(
    [property: Id(0)] string TenantId,
    [property: Id(1)] string PrincipalId,
    [property: Id(2)] string PrincipalType,
    [property: Id(3)] IReadOnlyList<string> Scopes,
    [property: Id(4)] bool IsPlatformAdmin)
{
    public bool Owns(string tenantId) => string.Equals(TenantId, tenantId, StringComparison.Ordinal);

    public bool CanRead(string tenantId) => IsPlatformAdmin || Owns(tenantId);
}
