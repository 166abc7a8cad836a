namespace Ipto.Identity;

/// <summary>The scopes of SPEC §3 and the roles of SPEC §2 that grant them.</summary>
public static class Scopes
{
    public const string DatasetsRead = "datasets:read";
    public const string DatasetsWrite = "datasets:write";
    public const string ObjectsWrite = "objects:write";
    public const string SearchQuery = "search:query";
    public const string UsageRead = "usage:read";
    public const string KeysWrite = "keys:write";
    public const string BillingRead = "billing:read";
    public const string Admin = "admin:*";

    /// <summary>Every scope a tenant role can grant (everything but <c>admin:*</c>).</summary>
    public static readonly IReadOnlyList<string> Tenant =
        [DatasetsRead, DatasetsWrite, ObjectsWrite, SearchQuery, UsageRead, KeysWrite, BillingRead];

    public static readonly IReadOnlyList<string> All = [.. Tenant, Admin];

    public static bool IsKnown(string scope) => All.Contains(scope, StringComparer.Ordinal);
}

public static class Roles
{
    public const string Owner = "owner";
    public const string Admin = "admin";
    public const string SellerManager = "seller_manager";
    public const string BuyerManager = "buyer_manager";
    public const string Operator = "operator";
    public const string Viewer = "viewer";

    public static readonly IReadOnlyList<string> All = [Owner, Admin, SellerManager, BuyerManager, Operator, Viewer];

    public static bool IsKnown(string role) => All.Contains(role, StringComparer.Ordinal);

    public static IReadOnlyList<string> ScopesOf(string role) => role switch
    {
        Owner or Admin => Scopes.Tenant,
        SellerManager => [Scopes.DatasetsRead, Scopes.DatasetsWrite, Scopes.ObjectsWrite, Scopes.UsageRead, Scopes.BillingRead],
        BuyerManager => [Scopes.DatasetsRead, Scopes.SearchQuery, Scopes.UsageRead, Scopes.KeysWrite, Scopes.BillingRead],
        Operator => [Scopes.DatasetsRead, Scopes.UsageRead],
        Viewer => [Scopes.DatasetsRead, Scopes.UsageRead, Scopes.BillingRead],
        _ => [],
    };

    /// <summary>The scopes of a session: the union over its roles, plus <c>admin:*</c> for a platform admin, in SPEC order.</summary>
    public static IReadOnlyList<string> SessionScopes(IEnumerable<string> roles, bool isPlatformAdmin)
    {
        var granted = roles.SelectMany(ScopesOf).ToHashSet(StringComparer.Ordinal);
        if (isPlatformAdmin) granted.Add(Scopes.Admin);
        return Scopes.All.Where(granted.Contains).ToArray();
    }
}
