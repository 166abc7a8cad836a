using Ipto.Common;
using Ipto.Grains.Hosting;
using Ipto.Grains.Identity;
using Ipto.Grains.Idempotency;
using Ipto.Identity;
using Ipto.Idempotency;
using Ipto.Tenants;
using Microsoft.Extensions.Options;

namespace Ipto.Grains.Tenants;

[GenerateSerializer, Alias("Ipto.InvitationState")]
public sealed class InvitationState
{
    [Id(0)] public string InvitationId { get; set; } = "";
    [Id(1)] public string Email { get; set; } = "";
    [Id(2)] public List<string> Roles { get; set; } = [];
    [Id(3)] public string TokenHash { get; set; } = "";
    [Id(4)] public DateTimeOffset CreatedAt { get; set; }
    [Id(5)] public DateTimeOffset ExpiresAt { get; set; }
    [Id(6)] public string CreatedBy { get; set; } = "";
    [Id(7)] public string Status { get; set; } = InvitationStatuses.Pending;
    [Id(8)] public string? AcceptedBy { get; set; }

    /// <summary>When it was accepted or revoked (null while pending, and for invitations recorded before this field).</summary>
    [Id(9)] public DateTimeOffset? EndedAt { get; set; }

    public string StatusAt(DateTimeOffset now) => Status == InvitationStatuses.Pending && now >= ExpiresAt ? InvitationStatuses.Expired : Status;
}

[GenerateSerializer, Alias("Ipto.TenantState")]
public sealed class TenantState
{
    [Id(0)] public string DisplayName { get; set; } = "";
    [Id(1)] public DateTimeOffset CreatedAt { get; set; }
    [Id(2)] public List<TenantMember> Members { get; set; } = [];
    [Id(3)] public List<InvitationState> Invitations { get; set; } = [];
}

/// <summary>
/// A tenant and its team. Team changes re-check here that the caller is an owner or admin of this tenant (another
/// tenant's caller sees not_found); an admin cannot grant or touch <c>owner</c>, and the last owner always remains.
/// Ended invitations are dropped after <c>Ipto:Tenants:InvitationRetention</c>, on activation and before it saves a change.
/// </summary>
public sealed class TenantGrain(
    [PersistentState("tenant", StorageNames.Default)] IPersistentState<TenantState> state,
    IOptions<IptoOptions> options,
    TimeProvider time) : Grain, ITenantGrain
{
    private static readonly TimeSpan InvitationLifetime = TimeSpan.FromDays(7);

    private string TenantId => this.GetPrimaryKeyString();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (state.RecordExists && PruneInvitations()) await state.WriteStateAsync();
    }

    public async Task Create(string displayName, TenantMember owner)
    {
        if (state.RecordExists)
        {
            if (state.State.Members.Any(m => m.UserId == owner.UserId)) return;
            throw new IptoException(ErrorCodes.Conflict, "The tenant already exists.");
        }

        state.State = new TenantState { DisplayName = displayName, CreatedAt = time.GetUtcNow(), Members = [owner] };
        await state.WriteStateAsync();
    }

    public async Task Discard()
    {
        if (state.RecordExists) await state.ClearStateAsync();
    }

    public Task<TenantSummary> Get(Caller caller)
    {
        EnsureVisible(caller);
        return Task.FromResult(Summary());
    }

    public Task<TenantSummary?> GetInternal() => Task.FromResult(state.RecordExists ? Summary() : null);

    public async Task<TenantSummary> Rename(Caller caller, string displayName)
    {
        EnsureManager(caller);
        state.State.DisplayName = displayName;
        await SaveAsync();
        return Summary();
    }

    public Task<IReadOnlyList<TenantMember>> ListMembers(Caller caller)
    {
        EnsureManager(caller);
        return Task.FromResult<IReadOnlyList<TenantMember>>(state.State.Members.OrderBy(m => m.JoinedAt).ToArray());
    }

    public async Task<TenantMember> SetRoles(Caller caller, string userId, IReadOnlyList<string> roles)
    {
        var managerRoles = EnsureManager(caller);
        var member = FindMember(userId);
        var isOwnerManager = managerRoles.Contains(Roles.Owner);
        if (!isOwnerManager && (roles.Contains(Roles.Owner) || member.Roles.Contains(Roles.Owner)))
            throw new IptoException(ErrorCodes.Forbidden, "Only an owner can grant the owner role or change an owner's roles.");
        if (member.Roles.Contains(Roles.Owner) && !roles.Contains(Roles.Owner) && OwnerCount() == 1)
            throw new IptoException(ErrorCodes.Conflict, "The last owner cannot be demoted; make another member an owner first.");

        var updated = member with { Roles = roles.Distinct().ToArray() };
        state.State.Members[state.State.Members.IndexOf(member)] = updated;
        await SaveAsync();
        await GrainFactory.GetGrain<IUserGrain>(userId).SetRoles(updated.Roles);
        return updated;
    }

    public async Task RemoveMember(Caller caller, string userId)
    {
        var managerRoles = EnsureManager(caller);
        var member = FindMember(userId);
        if (member.Roles.Contains(Roles.Owner) && !managerRoles.Contains(Roles.Owner))
            throw new IptoException(ErrorCodes.Forbidden, "Only an owner can remove an owner.");
        if (member.Roles.Contains(Roles.Owner) && OwnerCount() == 1)
            throw new IptoException(ErrorCodes.Conflict, "The last owner cannot be removed.");

        state.State.Members.Remove(member);
        await SaveAsync();
        await GrainFactory.GetGrain<IUserGrain>(userId).Remove();
    }

    public async Task<IssuedInvitation> Invite(Caller caller, NewInvitation request, CreationSeed? seed = null)
    {
        var managerRoles = EnsureManager(caller);
        var values = new CreationValues(seed);
        var invitationId = values.NewId(IdPrefixes.Invitation);
        var token = InvitationTokens.Compose(TenantId, values.NewSecret("invitation-token", SecretTokens.Base62, InvitationTokens.SecretLength));
        var now = time.GetUtcNow();
        if (state.State.Invitations.Find(i => i.InvitationId == invitationId) is { } existing)
        {
            if (existing.Email == request.Email && existing.CreatedBy == caller.PrincipalId && SecretTokens.HashEquals(token, existing.TokenHash))
                return new IssuedInvitation(View(existing, now), token);
            throw new IptoException(ErrorCodes.Conflict, "An invitation with this id already exists.");
        }

        if (request.Roles.Contains(Roles.Owner) && !managerRoles.Contains(Roles.Owner))
            throw new IptoException(ErrorCodes.Forbidden, "Only an owner can invite an owner.");
        if (state.State.Members.Any(m => m.Email == request.Email))
            throw new IptoException(ErrorCodes.Conflict, "This email already belongs to a member.", [new FieldError("email", "is already a member")]);

        var invitation = new InvitationState
        {
            InvitationId = invitationId,
            Email = request.Email,
            Roles = [.. request.Roles.Distinct()],
            TokenHash = SecretTokens.Hash(token),
            CreatedAt = now,
            ExpiresAt = now + InvitationLifetime,
            CreatedBy = caller.PrincipalId,
        };
        state.State.Invitations.Add(invitation);
        await state.WriteStateAsync();
        return new IssuedInvitation(View(invitation, now), token);
    }

    public Task<IReadOnlyList<Invitation>> ListInvitations(Caller caller)
    {
        EnsureManager(caller);
        var now = time.GetUtcNow();
        var retention = options.Value.Tenants.InvitationRetention;
        return Task.FromResult<IReadOnlyList<Invitation>>(state.State.Invitations
            .Where(i => !InvitationRetention.IsDue(i, now, retention))
            .OrderByDescending(i => i.InvitationId).Select(i => View(i, now)).ToArray());
    }

    public async Task<Invitation> RevokeInvitation(Caller caller, string invitationId)
    {
        EnsureManager(caller);
        var invitation = state.State.Invitations.FirstOrDefault(i => i.InvitationId == invitationId) ?? throw IptoException.NotFound("Invitation");
        var now = time.GetUtcNow();
        var status = invitation.StatusAt(now);
        if (status == InvitationStatuses.Accepted) throw IptoException.InvalidTransition("invitation", status, InvitationStatuses.Revoked);
        if (status != InvitationStatuses.Revoked)
        {
            invitation.Status = InvitationStatuses.Revoked;
            invitation.EndedAt = now;
            await SaveAsync();
        }

        return View(invitation, now);
    }

    public async Task<IReadOnlyList<string>> AcceptInvitation(string token, TenantMember member)
    {
        var now = time.GetUtcNow();
        var invitation = state.RecordExists
            ? state.State.Invitations.FirstOrDefault(i => SecretTokens.HashEquals(token, i.TokenHash))
            : null;
        if (invitation is null || invitation.StatusAt(now) != InvitationStatuses.Pending)
            throw new IptoException(ErrorCodes.ValidationFailed, "The invitation is invalid, used, revoked or expired.",
                [new FieldError("invitation_token", "is invalid, used, revoked or expired")]);
        if (!string.Equals(invitation.Email, member.Email, StringComparison.Ordinal))
            throw new IptoException(ErrorCodes.ValidationFailed, "The invitation was made for another email address.",
                [new FieldError("email", "does not match the invitation")]);

        invitation.Status = InvitationStatuses.Accepted;
        invitation.AcceptedBy = member.UserId;
        invitation.EndedAt = now;
        state.State.Members.Add(member with { Roles = invitation.Roles, JoinedAt = now });
        await SaveAsync();
        return invitation.Roles;
    }

    public async Task UndoJoin(string userId)
    {
        if (!state.RecordExists) return;
        var removed = state.State.Members.RemoveAll(m => m.UserId == userId);
        foreach (var invitation in state.State.Invitations.Where(i => i.AcceptedBy == userId))
        {
            invitation.Status = InvitationStatuses.Pending;
            invitation.AcceptedBy = null;
            invitation.EndedAt = null;
        }

        if (removed > 0) await SaveAsync();
    }

    private Task SaveAsync()
    {
        PruneInvitations();
        return state.WriteStateAsync();
    }

    private bool PruneInvitations() => InvitationRetention.Prune(state.State.Invitations, time.GetUtcNow(), options.Value.Tenants.InvitationRetention);

    private void EnsureVisible(Caller caller)
    {
        if (!state.RecordExists || !caller.CanRead(TenantId)) throw IptoException.NotFound("Tenant");
    }

    /// <summary>The caller's roles when they are an owner or admin of this tenant.</summary>
    public Task RequireManager(Caller caller, string activity)
    {
        EnsureManager(caller, activity);
        return Task.CompletedTask;
    }

    private IReadOnlyList<string> EnsureManager(Caller caller, string activity = "manage its team")
    {
        if (!state.RecordExists || !caller.Owns(TenantId)) throw IptoException.NotFound("Tenant");
        var roles = state.State.Members.FirstOrDefault(m => m.UserId == caller.PrincipalId)?.Roles ?? [];
        if (!roles.Contains(Roles.Owner) && !roles.Contains(Roles.Admin))
            throw new IptoException(ErrorCodes.Forbidden, $"Only an owner or admin of the tenant can {activity}.");
        return roles;
    }

    private TenantMember FindMember(string userId) =>
        state.State.Members.FirstOrDefault(m => m.UserId == userId) ?? throw IptoException.NotFound("Member");

    private int OwnerCount() => state.State.Members.Count(m => m.Roles.Contains(Roles.Owner));

    private TenantSummary Summary() => new(TenantId, state.State.DisplayName, state.State.CreatedAt, state.State.Members.Count);

    private static Invitation View(InvitationState i, DateTimeOffset now) =>
        new(i.InvitationId, i.Email, i.Roles, i.CreatedAt, i.ExpiresAt, i.CreatedBy, i.StatusAt(now));
}
