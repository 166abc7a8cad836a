using Ipto.Grains.Hosting;
using Ipto.Identity;
using Microsoft.Extensions.Options;

namespace Ipto.Grains.Identity;

/// <summary>
/// One session, keyed by the SHA-256 of its token (the token itself is never stored). Authentication, expiry and the
/// session's rate-limit bucket are decided here in one call; last use is persisted at most once a minute.
/// </summary>
public sealed class SessionGrain(
    [PersistentState("session", StorageNames.Default)] IPersistentState<SessionState> state,
    IOptions<IptoOptions> options,
    TimeProvider time) : Grain, ISessionGrain
{
    private static readonly TimeSpan LastSeenPersistInterval = TimeSpan.FromMinutes(1);
    private TokenBucket? _bucket;
    private DateTimeOffset? _lastSeen;

    public async Task Open(NewSession session)
    {
        var now = time.GetUtcNow();
        state.State = new SessionState
        {
            UserId = session.UserId,
            TenantId = session.TenantId,
            Roles = [.. session.Roles],
            IsPlatformAdmin = session.IsPlatformAdmin,
            CreatedAt = now,
            ExpiresAt = session.ExpiresAt,
            IdleTimeout = session.IdleTimeout,
            LastSeenAt = now,
        };
        await state.WriteStateAsync();
    }

    public async Task<SessionPrincipal?> Authenticate()
    {
        if (!state.RecordExists || state.State.Revoked) return null;
        var now = time.GetUtcNow();
        var lastSeen = _lastSeen ?? state.State.LastSeenAt;
        if (now >= state.State.ExpiresAt || now - lastSeen >= state.State.IdleTimeout) return null;

        var rate = options.Value.RateLimits.DefaultPerSecond;
        _bucket ??= new TokenBucket(rate, rate * 2, now);
        var decision = _bucket.Take(now);
        _lastSeen = now;
        // Persisted at most once a minute: after a restart the idle clock may start up to a minute early, never late.
        if (now - state.State.LastSeenAt >= LastSeenPersistInterval)
        {
            state.State.LastSeenAt = now;
            await state.WriteStateAsync();
        }

        return new SessionPrincipal(state.State.UserId, state.State.TenantId, state.State.Roles, state.State.IsPlatformAdmin, decision);
    }

    public async Task UpdateRoles(IReadOnlyList<string> roles)
    {
        if (!state.RecordExists || state.State.Revoked) return;
        state.State.Roles = [.. roles];
        await state.WriteStateAsync();
    }

    public async Task Revoke()
    {
        if (!state.RecordExists || state.State.Revoked) return;
        state.State.Revoked = true;
        await state.WriteStateAsync();
    }
}
