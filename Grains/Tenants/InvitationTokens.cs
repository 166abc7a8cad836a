using Ipto.Identity;
using Ipto.Common;
using Ipto.Grains.Identity;

namespace Ipto.Grains.Tenants;

/// <summary>Invitation tokens name their tenant so signup can find it: <c>invite_{tenant id body}_{43 base62}</c>.</summary>
public static class InvitationTokens
{
    private const string Prefix = "invite_";
    public const int SecretLength = 43;

    public static string Compose(string tenantId, string secret) => $"{Prefix}{tenantId[(IdPrefixes.Tenant.Length + 1)..]}_{secret}";

    public static bool TryGetTenant(string token, out string tenantId)
    {
        tenantId = "";
        if (!token.StartsWith(Prefix, StringComparison.Ordinal) || token.Length != Prefix.Length + Ids.BodyLength + 1 + SecretLength
            || token[Prefix.Length + Ids.BodyLength] != '_' || !SecretTokens.IsBase62(token.AsSpan(Prefix.Length + Ids.BodyLength + 1)))
            return false;
        var candidate = $"{IdPrefixes.Tenant}_{token.Substring(Prefix.Length, Ids.BodyLength)}";
        if (!Ids.IsValid(candidate, IdPrefixes.Tenant)) return false;
        tenantId = candidate;
        return true;
    }
}
