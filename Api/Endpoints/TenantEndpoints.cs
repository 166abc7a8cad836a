using Ipto.Api.Http;
using Ipto.Api.Http.OpenApi;
using Ipto.Api.Http.Auth;
using Ipto.Api.Http.Idempotency;
using Ipto.Common;
using Ipto.Identity;
using Ipto.Tenants;
using Microsoft.AspNetCore.Mvc;

namespace Ipto.Api.Endpoints;

public sealed record TenantResponse(string TenantId, string DisplayName, int MemberCount, DateTimeOffset CreatedAt)
{
    public static TenantResponse From(TenantSummary tenant) => new(tenant.TenantId, tenant.DisplayName, tenant.MemberCount, tenant.CreatedAt);
}

public sealed record UpdateTenantRequest(string? DisplayName) : IValidatable
{
    public void Validate(ValidationErrors errors)
    {
        errors.Required("display_name", DisplayName);
        errors.Length("display_name", DisplayName, 1, 200);
    }
}

public sealed record MemberResponse(string UserId, string Email, string DisplayName, IReadOnlyList<string> Roles, DateTimeOffset JoinedAt)
{
    public static MemberResponse From(TenantMember member) => new(member.UserId, member.Email, member.DisplayName, member.Roles, member.JoinedAt);
}

public sealed record UpdateMemberRequest(IReadOnlyList<string>? Roles) : IValidatable
{
    public void Validate(ValidationErrors errors) => TeamRules.ValidateRoles(errors, Roles);
}

public sealed record RemovedMemberResponse(string UserId, bool Removed);

public sealed record CreateInvitationRequest(string? Email, IReadOnlyList<string>? Roles) : IValidatable
{
    public void Validate(ValidationErrors errors)
    {
        errors.Required("email", Email);
        errors.Email("email", Email);
        TeamRules.ValidateRoles(errors, Roles);
    }
}

public sealed record InvitationResponse(string InvitationId, string Email, IReadOnlyList<string> Roles, string Status, string CreatedBy,
    DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt)
{
    public static InvitationResponse From(Invitation i) => new(i.InvitationId, i.Email, i.Roles, i.Status, i.CreatedBy, i.CreatedAt, i.ExpiresAt);
}

public sealed record CreatedInvitationResponse(string InvitationId, string Token, string Email, IReadOnlyList<string> Roles, DateTimeOffset ExpiresAt);

internal static class TeamRules
{
    public static void ValidateRoles(ValidationErrors errors, IReadOnlyList<string>? roles)
    {
        errors.NotEmpty("roles", roles, "must list at least one role");
        errors.EachOneOf("roles", roles, Roles.All);
    }
}

/// <summary>The team (SPEC §2): sessions of owners and admins only; API keys get 403.</summary>
public static class TenantEndpoints
{
    public static RouteGroupBuilder MapTenantEndpoints(this RouteGroupBuilder v1)
    {
        var group = v1.MapGroup("/tenant").WithTags("Tenant").RequireSession();
        group.MapGet("", GetAsync).WithName("GetTenant")
            .WithSummary("Get the tenant")
            .WithDescription("The caller's tenant: its display name and member count.");
        group.MapPatch("", RenameAsync).WithName("UpdateTenant")
            .WithSummary("Rename the tenant")
            .WithDescription("Changes the tenant's display name (owners and admins).");
        group.MapGet("/members", ListMembersAsync).WithName("ListMembers")
            .WithSummary("List members")
            .WithDescription("Every member of the tenant with their roles, in one page.");
        group.MapPatch("/members/{user_id}", SetRolesAsync).WithName("UpdateMember")
            .WithSummary("Set a member's roles")
            .WithDescription("Replaces a member's roles. The tenant always keeps at least one owner (409 otherwise).");
        group.MapDelete("/members/{user_id}", RemoveMemberAsync).WithName("RemoveMember")
            .WithSummary("Remove a member")
            .WithDescription("Removes a member from the tenant. The tenant always keeps at least one owner (409 otherwise).");
        group.MapPost("/invitations", InviteAsync).WithIdempotency().WithName("CreateInvitation").Created()
            .WithSummary("Invite a member")
            .WithDescription("Invites an email address with roles; the answer holds the invitation `token` (shown once) that signup takes as `invitation_token`.");
        group.MapGet("/invitations", ListInvitationsAsync).WithName("ListInvitations")
            .WithSummary("List invitations")
            .WithDescription("The tenant's invitations with their status, in one page.");
        group.MapDelete("/invitations/{invitation_id}", RevokeInvitationAsync).WithName("RevokeInvitation")
            .WithSummary("Revoke an invitation")
            .WithDescription("Revokes a pending invitation so that its token no longer signs anyone up.");
        return v1;
    }

    private static ITenantGrain Tenant(HttpContext http, IGrainFactory grains, out Caller caller)
    {
        caller = http.Require();
        return grains.GetGrain<ITenantGrain>(caller.TenantId);
    }

    private static async Task<EnvelopeResult<TenantResponse>> GetAsync(HttpContext http, IGrainFactory grains)
    {
        var tenant = Tenant(http, grains, out var caller);
        return ApiResults.Ok(TenantResponse.From(await tenant.Get(caller)));
    }

    private static async Task<EnvelopeResult<TenantResponse>> RenameAsync(JsonBody<UpdateTenantRequest> body, HttpContext http, IGrainFactory grains)
    {
        var tenant = Tenant(http, grains, out var caller);
        return ApiResults.Ok(TenantResponse.From(await tenant.Rename(caller, body.Value.DisplayName!)));
    }

    private static async Task<EnvelopeResult<Page<MemberResponse>>> ListMembersAsync(HttpContext http, IGrainFactory grains)
    {
        var tenant = Tenant(http, grains, out var caller);
        var members = await tenant.ListMembers(caller);
        return ApiResults.Ok(Page<MemberResponse>.All(members.Select(MemberResponse.From).ToArray()));
    }

    private static async Task<EnvelopeResult<MemberResponse>> SetRolesAsync(
        [FromRoute(Name = "user_id")] string userId, JsonBody<UpdateMemberRequest> body, HttpContext http, IGrainFactory grains)
    {
        var tenant = Tenant(http, grains, out var caller);
        return ApiResults.Ok(MemberResponse.From(await tenant.SetRoles(caller, userId, body.Value.Roles!)));
    }

    private static async Task<EnvelopeResult<RemovedMemberResponse>> RemoveMemberAsync([FromRoute(Name = "user_id")] string userId, HttpContext http, IGrainFactory grains)
    {
        var tenant = Tenant(http, grains, out var caller);
        await tenant.RemoveMember(caller, userId);
        return ApiResults.Ok(new RemovedMemberResponse(userId, true));
    }

    private static async Task<EnvelopeResult<CreatedInvitationResponse>> InviteAsync(JsonBody<CreateInvitationRequest> body, HttpContext http, IGrainFactory grains)
    {
        var tenant = Tenant(http, grains, out var caller);
        var issued = await tenant.Invite(caller, new NewInvitation(EmailAddress.Normalize(body.Value.Email!), body.Value.Roles!), http.CreationSeed());
        var i = issued.Invitation;
        return ApiResults.Created($"/v1/tenant/invitations/{i.InvitationId}", new CreatedInvitationResponse(i.InvitationId, issued.Token, i.Email, i.Roles, i.ExpiresAt));
    }

    private static async Task<EnvelopeResult<Page<InvitationResponse>>> ListInvitationsAsync(HttpContext http, IGrainFactory grains)
    {
        var tenant = Tenant(http, grains, out var caller);
        var invitations = await tenant.ListInvitations(caller);
        return ApiResults.Ok(Page<InvitationResponse>.All(invitations.Select(InvitationResponse.From).ToArray()));
    }

    private static async Task<EnvelopeResult<InvitationResponse>> RevokeInvitationAsync(
        [FromRoute(Name = "invitation_id")] string invitationId, HttpContext http, IGrainFactory grains)
    {
        var tenant = Tenant(http, grains, out var caller);
        return ApiResults.Ok(InvitationResponse.From(await tenant.RevokeInvitation(caller, invitationId)));
    }
}
