using Ipto.Common;
using Ipto.Grains.Hosting;
using Ipto.Identity;
using Microsoft.Extensions.Options;

namespace Ipto.Grains.Identity;

public sealed class UserGrain(
    [PersistentState("user", StorageNames.Default)] IPersistentState<UserState> state,
    PasswordHasher hasher,
    IOptions<IptoOptions> options,
    TimeProvider time) : Grain, IUserGrain
{
    private string UserId => this.GetPrimaryKeyString();

    public async Task Create(NewUser user)
    {
        if (state.RecordExists)
        {
            if (state.State.Email == user.Email) return;
            throw new IptoException(ErrorCodes.Conflict, "The user already exists.");
        }

        state.State = new UserState
        {
            Email = user.Email,
            DisplayName = user.DisplayName,
            TenantId = user.TenantId,
            Roles = [.. user.Roles],
            IsPlatformAdmin = user.IsPlatformAdmin,
            PasswordHash = user.PasswordHash,
            CreatedAt = time.GetUtcNow(),
        };
        await state.WriteStateAsync();
    }

    public async Task Discard()
    {
        if (!state.RecordExists) return;
        await RevokeSessionsAsync(keep: null);
        await state.ClearStateAsync();
    }

    public Task<UserProfile?> GetProfile() => Task.FromResult(state.RecordExists
        ? new UserProfile(UserId, state.State.Email, state.State.DisplayName, state.State.TenantId, state.State.Roles,
            state.State.IsPlatformAdmin, state.State.CreatedAt)
        : null);

    public async Task<bool> VerifyPassword(string password)
    {
        if (!state.RecordExists)
        {
            await Task.Run(() => hasher.VerifyNothing(password));
            return false;
        }

        var stored = state.State.PasswordHash; // grain state may only be touched on the grain's own scheduler
        var check = await Task.Run(() => hasher.Verify(password, stored));
        if (check == PasswordCheck.MatchNeedsRehash)
        {
            state.State.PasswordHash = await Task.Run(() => hasher.Hash(password));
            await state.WriteStateAsync();
        }

        return check != PasswordCheck.Mismatch;
    }

    public async Task<(string Token, DateTimeOffset ExpiresAt)> OpenSession()
    {
        if (!state.RecordExists) throw IptoException.NotFound("User");
        var identity = options.Value.Identity;
        var now = time.GetUtcNow();
        var token = SecretTokens.NewSessionToken();
        var hash = SecretTokens.Hash(token);
        var expiresAt = now + identity.SessionLifetime;
        await GrainFactory.GetGrain<ISessionGrain>(hash).Open(new NewSession(UserId, state.State.TenantId, state.State.Roles,
            state.State.IsPlatformAdmin, expiresAt, identity.SessionIdleTimeout));
        state.State.Sessions.RemoveAll(s => s.ExpiresAt <= now);
        state.State.Sessions.Add(new UserSession(hash, expiresAt));
        await state.WriteStateAsync();
        return (token, expiresAt);
    }

    public async Task<int> ChangePassword(Caller caller, string currentPassword, string newPassword, string keepSessionHash)
    {
        if (!state.RecordExists || caller.PrincipalId != UserId || !caller.Owns(state.State.TenantId)) throw IptoException.NotFound("User");
        var stored = state.State.PasswordHash;
        if (await Task.Run(() => hasher.Verify(currentPassword, stored)) == PasswordCheck.Mismatch)
            throw new IptoException(ErrorCodes.ValidationFailed, "The current password is wrong.", [new FieldError("current_password", "is wrong")]);
        state.State.PasswordHash = await Task.Run(() => hasher.Hash(newPassword));
        var revoked = await RevokeSessionsAsync(keep: keepSessionHash);
        await state.WriteStateAsync();
        return revoked;
    }

    public async Task SetRoles(IReadOnlyList<string> roles)
    {
        if (!state.RecordExists) throw IptoException.NotFound("User");
        state.State.Roles = [.. roles];
        await state.WriteStateAsync();
        await Task.WhenAll(state.State.Sessions.Select(s => GrainFactory.GetGrain<ISessionGrain>(s.Hash).UpdateRoles(roles)));
    }

    public async Task Remove()
    {
        if (!state.RecordExists) return;
        var email = state.State.Email;
        await RevokeSessionsAsync(keep: null);
        await state.ClearStateAsync();
        await GrainFactory.GetGrain<IEmailIndexGrain>(email).Release(UserId);
    }

    public async Task ForgetSession(string sessionHash)
    {
        if (state.State.Sessions.RemoveAll(s => s.Hash == sessionHash) > 0) await state.WriteStateAsync();
    }

    public async Task SetPlatformAdmin(bool isPlatformAdmin)
    {
        if (!state.RecordExists) throw IptoException.NotFound("User");
        if (state.State.IsPlatformAdmin == isPlatformAdmin) return;
        state.State.IsPlatformAdmin = isPlatformAdmin;
        // Sessions carry the flag they were opened with; a change of privilege starts from a fresh login.
        await RevokeSessionsAsync(keep: null);
        await state.WriteStateAsync();
    }

    private async Task<int> RevokeSessionsAsync(string? keep)
    {
        var revoke = state.State.Sessions.Where(s => s.Hash != keep).ToArray();
        await Task.WhenAll(revoke.Select(s => GrainFactory.GetGrain<ISessionGrain>(s.Hash).Revoke()));
        state.State.Sessions.RemoveAll(s => s.Hash != keep);
        return revoke.Length;
    }
}
