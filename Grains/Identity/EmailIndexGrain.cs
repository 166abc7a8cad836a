using Ipto.Common;
using Ipto.Grains.Hosting;
using Ipto.Grains.Tenants;
using Ipto.Identity;
using Ipto.Tenants;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Ipto.Grains.Identity;

/// <summary>
/// Keyed by the normalized email. Signup records its plan (user and tenant ids) before creating anything, so a
/// crash leaves at most a pending reservation that the next attempt cleans up; only a complete account is active.
/// Failed logins are counted in memory per address (5 per 15 minutes by default, then 429).
/// </summary>
public sealed class EmailIndexGrain(
    [PersistentState("email", StorageNames.Default)] IPersistentState<EmailIndexState> state,
    PasswordHasher hasher,
    IOptions<IptoOptions> options,
    TimeProvider time,
    ILogger<EmailIndexGrain> logger) : Grain, IEmailIndexGrain
{
    private readonly Queue<DateTimeOffset> _failures = new();

    private string Email => this.GetPrimaryKeyString();

    public async Task<SignupResult> Signup(SignupCommand command)
    {
        if (state.State.Status == EmailIndexStatus.Active)
            throw new IptoException(ErrorCodes.Conflict, "An account with this email already exists.", [new FieldError("email", "is already registered")]);
        if (state.State.Status == EmailIndexStatus.Pending) await DiscardLeftoversAsync();

        var joining = command.InvitationToken is not null;
        string tenantId;
        if (!joining) tenantId = Ids.New(IdPrefixes.Tenant);
        else if (!InvitationTokens.TryGetTenant(command.InvitationToken!, out tenantId))
            throw new IptoException(ErrorCodes.ValidationFailed, "The invitation is invalid, used, revoked or expired.",
                [new FieldError("invitation_token", "is invalid, used, revoked or expired")]);

        var passwordHash = await Task.Run(() => hasher.Hash(command.Password));
        var userId = Ids.New(IdPrefixes.User);
        state.State = new EmailIndexState
        {
            Status = EmailIndexStatus.Pending, UserId = userId, TenantId = tenantId, JoinedExistingTenant = joining, UpdatedAt = time.GetUtcNow(),
        };
        await state.WriteStateAsync();
        try
        {
            var member = new TenantMember(userId, Email, command.DisplayName, [Roles.Owner], time.GetUtcNow());
            var tenant = GrainFactory.GetGrain<ITenantGrain>(tenantId);
            IReadOnlyList<string> roles = [Roles.Owner];
            if (joining) roles = await tenant.AcceptInvitation(command.InvitationToken!, member);
            else await tenant.Create(command.TenantName!, member);
            await GrainFactory.GetGrain<IUserGrain>(userId).Create(
                new NewUser(Email, passwordHash, command.DisplayName, tenantId, roles, command.IsPlatformAdmin));
            state.State.Status = EmailIndexStatus.Active;
            state.State.UpdatedAt = time.GetUtcNow();
            await state.WriteStateAsync();
        }
        catch (IptoException)
        {
            await DiscardLeftoversAsync();
            throw;
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Signup of user {UserId} did not complete; rolling back", userId);
            await DiscardLeftoversAsync();
            throw;
        }

        return new SignupResult(userId, tenantId);
    }

    public async Task<LoginResult> Login(string password)
    {
        var now = time.GetUtcNow();
        var identity = options.Value.Identity;
        while (_failures.Count > 0 && now - _failures.Peek() >= identity.FailedLoginWindow) _failures.Dequeue();
        if (_failures.Count >= identity.FailedLoginsPerEmail)
        {
            var retryAfter = (int)Math.Ceiling((_failures.Peek() + identity.FailedLoginWindow - now).TotalSeconds);
            return new LoginResult(LoginOutcome.Throttled, null, null, Math.Max(retryAfter, 1));
        }

        bool valid;
        if (state.State.Status == EmailIndexStatus.Active)
        {
            valid = await GrainFactory.GetGrain<IUserGrain>(state.State.UserId!).VerifyPassword(password);
        }
        else
        {
            await Task.Run(() => hasher.VerifyNothing(password));
            valid = false;
        }

        if (valid)
        {
            _failures.Clear();
            return new LoginResult(LoginOutcome.Success, state.State.UserId, state.State.TenantId, 0);
        }

        _failures.Enqueue(now);
        // The count lives in memory: keep the activation while the window runs.
        DelayDeactivation(identity.FailedLoginWindow);
        return new LoginResult(LoginOutcome.InvalidCredentials, null, null, 0);
    }

    public async Task Release(string userId)
    {
        if (state.State.UserId == userId) await state.ClearStateAsync();
    }

    public Task<string?> FindUser() =>
        Task.FromResult(state.State.Status == EmailIndexStatus.Active ? state.State.UserId : null);

    private async Task DiscardLeftoversAsync()
    {
        if (state.State.UserId is { } userId)
        {
            await GrainFactory.GetGrain<IUserGrain>(userId).Discard();
            if (state.State.JoinedExistingTenant && state.State.TenantId is { } joined)
                await GrainFactory.GetGrain<ITenantGrain>(joined).UndoJoin(userId);
        }

        if (!state.State.JoinedExistingTenant && state.State.TenantId is { } created) await GrainFactory.GetGrain<ITenantGrain>(created).Discard();
        await state.ClearStateAsync();
    }
}
