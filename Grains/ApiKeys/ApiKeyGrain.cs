using Ipto.Identity;
using Ipto.ApiKeys;
using Ipto.Common;
using Ipto.Grains.Hosting;
using Ipto.Grains.Identity;
using Ipto.Grains.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Ipto.Grains.ApiKeys;

/// <summary>
/// One API key, keyed by its prefix. Only a SHA-256 of the secret is kept (the secret has ≥ 190 bits of randomness,
/// so a slow hash adds nothing) and compared in constant time. <c>last_used_at</c> is kept in memory and written at
/// most once a minute, so authentication costs no database write.
/// </summary>
public sealed class ApiKeyGrain(
    [PersistentState("apikey", StorageNames.Default)] IPersistentState<ApiKeyState> state,
    ApiKeyProjection projection,
    IOptions<IptoOptions> options,
    TimeProvider time,
    ILogger<ApiKeyGrain> logger) : Grain, IApiKeyGrain
{
    private IApiKeyDirectoryGrain Issuer => GrainFactory.GetGrain<IApiKeyDirectoryGrain>(0);

    private static void EnsureSpendLimitInRange(SpendLimit? limit)
    {
        if (limit is { AmountMicros: < 0 or > Money.MaxLimitMicros })
            throw new IptoException(ErrorCodes.ValidationFailed, "The request has invalid fields.",
                [new FieldError("spend_limit.amount", $"must be between 0 and {Money.FromMicros(Money.MaxLimitMicros):0} USD")]);
    }

    private static readonly TimeSpan LastUsedFlushInterval = TimeSpan.FromMinutes(1);
    private static readonly string UnusedHash = new('0', 64);

    private TokenBucket? _bucket;
    private DateTimeOffset? _lastUsed;
    private IGrainTimer? _flushTimer;
    private LeaseHolders _leases = null!;
    private bool _earlierLeases;

    private string Prefix => this.GetPrimaryKeyString();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _leases = new LeaseHolders(time, logger);
        _earlierLeases = state.RecordExists && state.State.LeasesGranted;
        if (state.RecordExists) await Projection.CatchUpAsync(this, WriteProjectionAsync, logger, "API key", state.State.KeyId);
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        await FlushLastUsedAsync();
        if (!state.RecordExists || !state.State.LeasesGranted) return;
        await ForgetEverywhereAsync();
        state.State.LeasesGranted = false;
        await state.WriteStateAsync();
    }

    public async Task<ApiKeyView> Create(NewApiKey key)
    {
        if (state.RecordExists)
        {
            if (state.State.KeyId != key.KeyId || state.State.SecretHash != key.SecretHash)
                throw new IptoException(ErrorCodes.Conflict, "This key prefix is taken.");
            await ProjectAsync(); // the retry of a create whose projection failed answers only once the row is there
            return View();
        }

        EnsureSpendLimitInRange(key.SpendLimit);
        state.State = new ApiKeyState
        {
            KeyId = key.KeyId,
            TenantId = key.TenantId,
            CreatedBy = key.CreatedBy,
            Name = key.Name,
            SecretHash = key.SecretHash,
            Scopes = [.. key.Scopes],
            DatasetAccessMode = key.DatasetAccessMode,
            DatasetIds = [.. key.DatasetIds],
            SpendLimit = key.SpendLimit,
            RateLimitPerSecond = key.RateLimitPerSecond,
            ExpiresAt = key.ExpiresAt,
            CreatedAt = time.GetUtcNow(),
        };
        await SaveAsync();
        return View();
    }

    public Task<KeyPrincipal?> Authenticate(string secret)
    {
        var now = time.GetUtcNow();
        return Task.FromResult(Verify(secret, now) ? Principal(Bucket(now).Take(now)) : null);
    }

    public async Task<KeyLease?> Lease(string secret, ICredentialHolder holder, bool batch)
    {
        var now = time.GetUtcNow();
        if (!Verify(secret, now)) return null;
        if (!state.State.LeasesGranted)
        {
            state.State.LeasesGranted = true;
            await state.WriteStateAsync();
        }

        var lease = _leases.Grant(holder, Bucket(now), batch, state.State.ExpiresAt);
        return new KeyLease(Principal(lease.Rate), lease);
    }

    /// <summary>The secret matches an active key; records the use.</summary>
    private bool Verify(string secret, DateTimeOffset now)
    {
        // Compare even for a missing key, so timing does not tell which prefixes exist.
        var matches = SecretTokens.HashEquals(secret, state.RecordExists ? state.State.SecretHash : UnusedHash);
        if (!state.RecordExists || !matches || state.State.StatusAt(now) != ApiKeyStatuses.Active) return false;
        _lastUsed = now;
        _flushTimer ??= this.RegisterGrainTimer(FlushLastUsedAsync, new GrainTimerCreationOptions(LastUsedFlushInterval, LastUsedFlushInterval) { KeepAlive = false });
        return true;
    }

    private TokenBucket Bucket(DateTimeOffset now)
    {
        var rate = state.State.RateLimitPerSecond ?? options.Value.RateLimits.DefaultPerSecond;
        if (_bucket is null || _bucket.Rate != rate) _bucket = new TokenBucket(rate, rate * 2, now);
        return _bucket;
    }

    private KeyPrincipal Principal(RateDecision rate)
    {
        var s = state.State;
        return new KeyPrincipal(s.KeyId, s.TenantId, s.Scopes, s.DatasetAccessMode, s.DatasetIds, rate, s.SpendLimit);
    }

    /// <summary>Before a change answers, every node that caches the key forgets it.</summary>
    private async Task ForgetEverywhereAsync()
    {
        await _leases.ForgetEverywhereAsync(CredentialIds.ApiKey(Prefix), _earlierLeases);
        _earlierLeases = false;
    }

    public Task<ApiKeyView> Get(Caller caller)
    {
        EnsureVisibleTo(caller);
        return Task.FromResult(View());
    }

    public async Task<ApiKeyView> Update(Caller caller, ApiKeyPatch patch)
    {
        EnsureVisibleTo(caller);
        if (patch.DatasetIds is { Count: > 0 } named) await Issuer.EnsureUsable(caller, named);
        var s = state.State;
        if (s.RevokedAt is not null) throw IptoException.InvalidTransition("API key", ApiKeyStatuses.Revoked, "updated");
        // Everything is checked before anything changes: a refused patch leaves the key as it was.
        var mode = patch.DatasetAccessMode ?? s.DatasetAccessMode;
        var datasetIds = mode == DatasetAccessModes.AllAvailable && patch.DatasetAccessMode is not null ? [] : patch.DatasetIds?.ToList() ?? s.DatasetIds;
        if (mode == DatasetAccessModes.AllowList && datasetIds.Count == 0)
            throw new IptoException(ErrorCodes.ValidationFailed, "The request has invalid fields.",
                [new FieldError("dataset_ids", "must name at least one dataset when dataset_access_mode is allow_list")]);
        EnsureSpendLimitInRange(patch.SpendLimit);

        if (patch.Name is not null) s.Name = patch.Name;
        s.DatasetAccessMode = mode;
        s.DatasetIds = [.. datasetIds];
        if (patch.ClearSpendLimit) s.SpendLimit = null;
        else if (patch.SpendLimit is not null) s.SpendLimit = patch.SpendLimit;
        if (patch.ClearRateLimit) s.RateLimitPerSecond = null;
        else if (patch.RateLimitPerSecond is not null) s.RateLimitPerSecond = patch.RateLimitPerSecond;
        await SaveAsync();
        await ForgetEverywhereAsync();
        return View();
    }

    public async Task<ApiKeyView> Revoke(Caller caller)
    {
        EnsureVisibleTo(caller);
        if (state.State.RevokedAt is null)
        {
            state.State.RevokedAt = time.GetUtcNow();
            await SaveAsync();
        }

        await ForgetEverywhereAsync(); // also on a repeated revocation, whose first attempt may have failed after saving

        return View();
    }

    private void EnsureVisibleTo(Caller caller)
    {
        if (!state.RecordExists || !caller.Owns(state.State.TenantId)) throw IptoException.NotFound("API key");
    }

    private async Task FlushLastUsedAsync()
    {
        if (_lastUsed is null || !state.RecordExists || _lastUsed == state.State.LastUsedAt) return;
        state.State.LastUsedAt = _lastUsed;
        await SaveAsync();
    }

    private async Task SaveAsync()
    {
        state.State.Version++;
        await state.WriteStateAsync();
        await ProjectAsync();
    }

    private Task ProjectAsync() => Projection.WriteAsync(this, WriteProjectionAsync, logger, "API key", state.State.KeyId);

    private Task WriteProjectionAsync() => projection.UpsertAsync(Prefix, state.State);

    private ApiKeyView View()
    {
        var s = state.State;
        return new ApiKeyView(s.KeyId, Prefix, s.TenantId, s.Name, s.Scopes, s.DatasetAccessMode, s.DatasetIds, s.SpendLimit,
            s.RateLimitPerSecond, s.ExpiresAt, s.StatusAt(time.GetUtcNow()), s.CreatedAt, s.CreatedBy, _lastUsed ?? s.LastUsedAt, s.RevokedAt);
    }
}
