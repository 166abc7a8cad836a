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
    /// <summary>The API key the ledger records for this caller's charges (null for a user session).</summary>
    public string? ApiKeyId => PrincipalType == Ipto.Identity.PrincipalTypes.ApiKey ? PrincipalId : null;

    public bool Owns(string tenantId) => string.Equals(TenantId, tenantId, StringComparison.Ordinal);

    public bool CanRead(string tenantId) => IsPlatformAdmin || Owns(tenantId);

    /// <summary>The tenant id of an operator caller: not a valid tenant id, so it owns nothing.</summary>
    public const string OperatorTenantId = "operator";

    /// <summary>
    /// The caller of an internal tool that joins the cluster as an Orleans client (e.g. <c>samples/Ipto.OperatorTool</c>).
    /// It is not a platform admin and has no scopes: only the operations that accept <see cref="IsOperator"/> let it in.
    /// </summary>
    public static Caller Operator(string operatorName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(operatorName);
        return new Caller(OperatorTenantId, "operator:" + operatorName.Trim(), Ipto.Identity.PrincipalTypes.Operator, [], IsPlatformAdmin: false);
    }

    public bool IsOperator() => string.Equals(PrincipalType, Ipto.Identity.PrincipalTypes.Operator, StringComparison.Ordinal);

    /// <summary>May review staged objects: a platform admin with the admin scope, or an operator tool.</summary>
    public bool MayReview() => (IsPlatformAdmin && Scopes.Contains(Ipto.Identity.Scopes.Admin)) || IsOperator();
}
