using Ipto.Common;

namespace Ipto.Tenants;

[GenerateSerializer, Alias("Ipto.TenantSummary")]
public sealed record TenantSummary(
    [property: Id(0)] string TenantId,
    [property: Id(1)] string DisplayName,
    [property: Id(2)] DateTimeOffset CreatedAt);

[GenerateSerializer, Alias("Ipto.TenantMember")]
public sealed record TenantMember(
    [property: Id(0)] string UserId,
    [property: Id(1)] string Email,
    [property: Id(2)] string DisplayName,
    [property: Id(3)] IReadOnlyList<string> Roles,
    [property: Id(4)] DateTimeOffset JoinedAt);

/// <summary>A tenant: its name and its members with their roles.</summary>
[Alias("Ipto.ITenantGrain")]
public interface ITenantGrain : IGrainWithStringKey
{
    /// <summary>Creates the tenant with its first member as <c>owner</c> (signup); repeating the same call is a no-op.</summary>
    [Alias("Create")]
    Task Create(string displayName, TenantMember owner);

    /// <summary>Removes a tenant that a failed signup left behind.</summary>
    [Alias("Discard")]
    Task Discard();

    /// <summary>The tenant as its members see it; another tenant's caller gets not_found.</summary>
    [Alias("Get")]
    Task<TenantSummary> Get(Caller caller);

    [Alias("GetInternal")]
    Task<TenantSummary?> GetInternal();
}
