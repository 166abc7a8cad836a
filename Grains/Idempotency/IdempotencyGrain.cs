using System.Security.Cryptography;
using Ipto.Grains.Hosting;
using Ipto.Idempotency;
using Microsoft.Extensions.Options;

namespace Ipto.Grains.Idempotency;

/// <summary>
/// Decides, for one (tenant, principal, Idempotency-Key), whether a request runs, replays or is refused. The first
/// attempt persists its fingerprint and an id seed (so every retry creates the same resources), a finished response
/// is persisted for replay; the in-flight lease lives in memory, so a crash mid-request frees the key for a retry.
/// </summary>
public sealed class IdempotencyGrain(
    [PersistentState("idempotency", StorageNames.Default)] IPersistentState<IdempotencyState> state,
    IOptions<IptoOptions> options,
    TimeProvider time) : Grain, IIdempotencyGrain
{
    private Lease? _lease;

    public async Task<IdempotencyDecision> Begin(string fingerprint, TimeSpan leaseDuration)
    {
        var now = time.GetUtcNow();
        if (state.RecordExists && state.State.ExpiresAt <= now)
        {
            await state.ClearStateAsync();
        }

        if (state.RecordExists && state.State.Response is not null)
        {
            return state.State.Fingerprint == fingerprint
                ? new IdempotencyDecision(IdempotencyOutcome.Replay, state.State.Response, Guid.Empty)
                : new IdempotencyDecision(IdempotencyOutcome.KeyReused, null, Guid.Empty);
        }

        if (_lease is not null && _lease.ExpiresAt > now)
        {
            return _lease.Fingerprint == fingerprint
                ? new IdempotencyDecision(IdempotencyOutcome.InProgress, null, Guid.Empty)
                : new IdempotencyDecision(IdempotencyOutcome.KeyReused, null, Guid.Empty);
        }

        // An earlier attempt may have executed before it failed: only the same request may run under its key again.
        if (state.RecordExists && state.State.Fingerprint != fingerprint) return new IdempotencyDecision(IdempotencyOutcome.KeyReused, null, Guid.Empty);
        var earlierAttemptBegan = state.RecordExists;
        if (!state.RecordExists)
        {
            state.State = new IdempotencyState
            {
                Fingerprint = fingerprint,
                FirstStartedAt = now,
                IdSeed = RandomNumberGenerator.GetBytes(32),
                ExpiresAt = now.Add(options.Value.Idempotency.Retention),
            };
            await state.WriteStateAsync();
        }

        _lease = new Lease(Guid.NewGuid(), fingerprint, now.Add(leaseDuration));
        return new IdempotencyDecision(IdempotencyOutcome.Started, null, _lease.Id, new IdempotentIdSeed(state.State.FirstStartedAt, state.State.IdSeed, earlierAttemptBegan));
    }

    public async Task Complete(Guid leaseId, StoredResponse response, TimeSpan retention)
    {
        if (_lease is null || _lease.Id != leaseId) return;
        state.State.Fingerprint = _lease.Fingerprint;
        state.State.Response = response;
        state.State.ExpiresAt = time.GetUtcNow().Add(retention);
        await state.WriteStateAsync();
        _lease = null;
    }

    public Task Release(Guid leaseId)
    {
        if (_lease is not null && _lease.Id == leaseId) _lease = null;
        return Task.CompletedTask;
    }

    private sealed record Lease(Guid Id, string Fingerprint, DateTimeOffset ExpiresAt);
}
