using Ipto.Common;

namespace Ipto.Tenants;

[GenerateSerializer, Alias("Ipto.TenantSummary")]
public sealed record TenantSummary(
    [property: Id(0)] string TenantId,
    [property: Id(1)] string DisplayName,
    [property: Id(2)] DateTimeOffset CreatedAt,
    [property: Id(3)] int MemberCount);

[GenerateSerializer, Alias("Ipto.TenantMember")]
public sealed record TenantMember(
    [property: Id(0)] string UserId,
    [property: Id(1)] string Email,
    [property: Id(2)] string DisplayName,
    [property: Id(3)] IReadOnlyList<string> Roles,
    [property: Id(4)] DateTimeOffset JoinedAt);

[GenerateSerializer, Alias("Ipto.Invitation")]
public sealed record Invitation(
    [property: Id(0)] string InvitationId,
    [property: Id(1)] string Email,
    [property: Id(2)] IReadOnlyList<string> Roles,
    [property: Id(3)] DateTimeOffset CreatedAt,
    [property: Id(4)] DateTimeOffset ExpiresAt,
    [property: Id(5)] string CreatedBy,
    [property: Id(6)] string Status);

/// <summary>A new invitation with its token, which is shown once and stored only as a hash.</summary>
[GenerateSerializer, Alias("Ipto.IssuedInvitation")]
public sealed record IssuedInvitation([property: Id(0)] Invitation Invitation, [property: Id(1)] string Token);

/// <summary>An invitation to issue: a normalized email and the roles it grants.</summary>
[GenerateSerializer, Alias("Ipto.NewInvitation")]
public sealed record NewInvitation([property: Id(0)] string Email, [property: Id(1)] IReadOnlyList<string> Roles);

public static class InvitationStatuses
{
    public const string Pending = "pending";
    public const string Accepted = "accepted";
    public const string Revoked = "revoked";
    public const string Expired = "expired";
}

/// <summary>A tenant: its name, its members with their roles, and its invitations. Team changes need an owner or admin.</summary>
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

    /// <summary>
    /// Fails unless the caller is an owner or admin of this tenant (403; another tenant's caller: not_found);
    /// <paramref name="activity"/> completes "Only an owner or admin of the tenant can …".
    /// </summary>
    [Alias("RequireManager"), Orleans.Concurrency.ReadOnly]
    Task RequireManager(Caller caller, string activity);

    [Alias("Rename")]
    Task<TenantSummary> Rename(Caller caller, string displayName);

    [Alias("ListMembers")]
    Task<IReadOnlyList<TenantMember>> ListMembers(Caller caller);

    /// <summary>Sets a member's roles; an admin cannot grant <c>owner</c>, and the last owner stays an owner (409).</summary>
    [Alias("SetRoles")]
    Task<TenantMember> SetRoles(Caller caller, string userId, IReadOnlyList<string> roles);

    /// <summary>Removes a member and ends their sessions; the last owner cannot be removed (409).</summary>
    [Alias("RemoveMember")]
    Task RemoveMember(Caller caller, string userId);

    /// <summary>
    /// Issues an invitation with a new id and token, derived from <paramref name="seed"/> when the request has an
    /// Idempotency-Key: a retry then returns the invitation (and token) its first attempt made.
    /// </summary>
    [Alias("Invite")]
    Task<IssuedInvitation> Invite(Caller caller, NewInvitation invitation, Ipto.Idempotency.CreationSeed? seed = null);

    [Alias("ListInvitations")]
    Task<IReadOnlyList<Invitation>> ListInvitations(Caller caller);

    [Alias("RevokeInvitation")]
    Task<Invitation> RevokeInvitation(Caller caller, string invitationId);

    /// <summary>Signup with an invitation: checks the token and email, adds the member and returns the invited roles.</summary>
    [Alias("AcceptInvitation")]
    Task<IReadOnlyList<string>> AcceptInvitation(string token, TenantMember member);

    /// <summary>Takes back a member added by a signup that did not complete.</summary>
    [Alias("UndoJoin")]
    Task UndoJoin(string userId);
}
