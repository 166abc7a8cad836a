using System.Security.Cryptography;
using Ipto.Grains.Hosting;
using Ipto.Idempotency;
using Microsoft.Extensions.Options;

namespace Ipto.Grains.Idempotency;

/// <summary>
/// Decides, for one (tenant, principal, Idempotency-Key), whether a request runs, replays or is refused. The first
/// attempt persists its fingerprint and an id seed (so every retry creates the same resources), a finished response
/// is persisted for replay; the in-flight lease lives in memory, so a crash mid-request frees the key for a retry.
/// Records are rows of <see cref="IdempotencyStore"/>; an expired one counts as absent here and is deleted by the sweeper.
/// </summary>
public sealed class IdempotencyGrain(IdempotencyStore store, IOptions<IptoOptions> options, TimeProvider time) : Grain, IIdempotencyGrain
{
    private const int CreateAttempts = 3;

    private IdempotencyRecord? _record;
    private bool _loaded;
    private Lease? _lease;

    private string Key => this.GetPrimaryKeyString();

    public async Task<IdempotencyDecision> Begin(string fingerprint, TimeSpan? leaseDuration = null)
    {
        // Read in the call rather than on activation, so a database failure reaches the caller through the grain-call
        // filter as service_unavailable (an activation failure would carry the driver's exception to the client).
        if (!_loaded)
        {
            _record = await store.FindAsync(Key);
            _loaded = true;
        }

        var now = time.GetUtcNow();
        if (_record is not null && _record.ExpiresAt <= now) _record = null;
        if (Stored(fingerprint) is { } stored) return stored;

        if (_lease is not null && _lease.ExpiresAt > now)
        {
            return _lease.Fingerprint == fingerprint
                ? new IdempotencyDecision(IdempotencyOutcome.InProgress, null, Guid.Empty)
                : new IdempotencyDecision(IdempotencyOutcome.KeyReused, null, Guid.Empty);
        }

        var earlierAttemptBegan = _record is not null;
        if (_record is null)
        {
            var (record, ours) = await CreateAsync(fingerprint, now);
            _record = record;
            earlierAttemptBegan = !ours;
            if (Stored(fingerprint) is { } theirs) return theirs;
        }

        // An earlier attempt may have executed before it failed: only the same request may run under its key again.
        if (_record.Fingerprint != fingerprint) return new IdempotencyDecision(IdempotencyOutcome.KeyReused, null, Guid.Empty);

        _lease = new Lease(Guid.NewGuid(), fingerprint, now.Add(leaseDuration ?? options.Value.Idempotency.Lease));
        return new IdempotencyDecision(IdempotencyOutcome.Started, null, _lease.Id, new IdempotentIdSeed(_record.FirstStartedAt, _record.IdSeed, earlierAttemptBegan));
    }

    public async Task Complete(Guid leaseId, StoredResponse response, TimeSpan? retention = null)
    {
        if (_lease is null || _lease.Id != leaseId || _record is null) return;
        var completed = _record with { Response = response, ExpiresAt = time.GetUtcNow().Add(retention ?? options.Value.Idempotency.Retention) };
        await store.SaveAsync(Key, completed);
        _record = completed;
        _lease = null;
    }

    public Task Release(Guid leaseId)
    {
        if (_lease is not null && _lease.Id == leaseId) _lease = null;
        return Task.CompletedTask;
    }

    /// <summary>The decision a stored response makes: replay for the same request, refusal for another.</summary>
    private IdempotencyDecision? Stored(string fingerprint) => _record?.Response is { } response
        ? _record.Fingerprint == fingerprint
            ? new IdempotencyDecision(IdempotencyOutcome.Replay, response, Guid.Empty)
            : new IdempotencyDecision(IdempotencyOutcome.KeyReused, null, Guid.Empty)
        : null;

    /// <summary>Persists the first attempt's record (ours), or returns the live one another activation of this key wrote first.</summary>
    private async Task<(IdempotencyRecord Record, bool Ours)> CreateAsync(string fingerprint, DateTimeOffset now)
    {
        // Whole milliseconds, which every store keeps exactly: a retry after reactivation gets the same seed time.
        var startedAt = DateTimeOffset.FromUnixTimeMilliseconds(now.ToUnixTimeMilliseconds());
        var record = new IdempotencyRecord(fingerprint, startedAt, RandomNumberGenerator.GetBytes(32), startedAt + options.Value.Idempotency.Retention, null);
        for (var attempt = 1; ; attempt++)
        {
            if (await store.TryCreateAsync(Key, record, now)) return (record, true);
            if (await store.FindAsync(Key) is { } live && live.ExpiresAt > now) return (live, false);
            if (attempt == CreateAttempts) throw new InvalidOperationException($"Idempotency record {Key} could not be created.");
        }
    }

    private sealed record Lease(Guid Id, string Fingerprint, DateTimeOffset ExpiresAt);
}
