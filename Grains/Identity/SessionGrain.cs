using Ipto.Grains.Hosting;
using Ipto.Identity;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Ipto.Grains.Identity;

/// <summary>
/// One session, keyed by the SHA-256 of its token (the token itself is never stored). Authentication, expiry and the
/// session's rate-limit bucket are decided here in one call; last use is persisted at most once a minute.
/// </summary>
public sealed class SessionGrain(
    [PersistentState("session", StorageNames.Default)] IPersistentState<SessionState> state,
    IOptions<IptoOptions> options,
    TimeProvider time,
    ILogger<SessionGrain> logger) : Grain, ISessionGrain
{
    private static readonly TimeSpan LastSeenPersistInterval = TimeSpan.FromMinutes(1);
    private TokenBucket? _bucket;
    private DateTimeOffset? _lastSeen;
    private LeaseHolders _leases = null!;
    private bool _earlierLeases;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _leases = new LeaseHolders(time, logger);
        _earlierLeases = state.RecordExists && state.State.LeasesGranted;
        return Task.CompletedTask;
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (!state.RecordExists || !state.State.LeasesGranted) return;
        await ForgetEverywhereAsync();
        state.State.LeasesGranted = false;
        await state.WriteStateAsync();
    }

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
        var now = time.GetUtcNow();
        if (!await VerifyAsync(now, leasing: false)) return null;
        return Principal(Bucket(now).Take(now));
    }

    public async Task<SessionLease?> Lease(ICredentialHolder holder, bool batch)
    {
        var now = time.GetUtcNow();
        if (!await VerifyAsync(now, leasing: true)) return null;
        // A lease never outlives the session's absolute end; its idle clock restarts at every lease, as at every call.
        var lease = _leases.Grant(holder, Bucket(now), batch, state.State.ExpiresAt);
        return new SessionLease(Principal(lease.Rate), lease);
    }

    /// <summary>The session is live; records the use (and, before a first lease, that leases were granted).</summary>
    private async Task<bool> VerifyAsync(DateTimeOffset now, bool leasing)
    {
        if (!state.RecordExists || state.State.Revoked) return false;
        var lastSeen = _lastSeen ?? state.State.LastSeenAt;
        if (now >= state.State.ExpiresAt || now - lastSeen >= state.State.IdleTimeout) return false;

        _lastSeen = now;
        // Persisted at most once a minute: after a restart the idle clock may start up to a minute early, never late.
        var persist = now - state.State.LastSeenAt >= LastSeenPersistInterval;
        if (persist) state.State.LastSeenAt = now;
        if (leasing && !state.State.LeasesGranted) persist = state.State.LeasesGranted = true;
        if (persist) await state.WriteStateAsync();
        return true;
    }

    private TokenBucket Bucket(DateTimeOffset now)
    {
        var rate = options.Value.RateLimits.DefaultPerSecond;
        return _bucket ??= new TokenBucket(rate, rate * 2, now);
    }

    private SessionPrincipal Principal(RateDecision rate) =>
        new(state.State.UserId, state.State.TenantId, state.State.Roles, state.State.IsPlatformAdmin, rate);

    private async Task ForgetEverywhereAsync()
    {
        await _leases.ForgetEverywhereAsync(CredentialIds.Session(this.GetPrimaryKeyString()), _earlierLeases);
        _earlierLeases = false;
    }

    public async Task UpdateRoles(IReadOnlyList<string> roles)
    {
        if (!state.RecordExists || state.State.Revoked) return;
        state.State.Roles = [.. roles];
        await state.WriteStateAsync();
        await ForgetEverywhereAsync();
    }

    public async Task Revoke()
    {
        if (!state.RecordExists) return;
        if (!state.State.Revoked)
        {
            state.State.Revoked = true;
            await state.WriteStateAsync();
        }

        await ForgetEverywhereAsync();
    }
}
