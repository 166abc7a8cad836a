using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Ipto.ApiKeys;

namespace Ipto.Identity;

/// <summary>
/// A node's cache of credentials its grains verified, so that most requests authenticate, authorize and take a
/// rate-limit token without a grain call. Each entry is a lease (granted by the grain, see <see cref="ICredentialHolder"/>): the principal, the
/// SHA-256 of the secret that was verified (compared in constant time with each request's), a batch of tokens and
/// an end counted from before the grain was asked. A grain tells the node to forget a credential before a
/// revocation or change answers; an answer that was in flight when any credential was forgotten serves its own
/// request but is not kept, so nothing older than the forgetting is served to a request that starts after it.
/// </summary>
public sealed class VerifiedCredentials : ICredentialHolder, IDisposable
{
    private static readonly TimeSpan SweepPeriod = TimeSpan.FromSeconds(30);

    private readonly IGrainFactory _grains;
    private readonly TimeProvider _time;
    private readonly Lazy<ICredentialHolder> _self;
    private readonly ConcurrentDictionary<string, Slot> _slots = new(StringComparer.Ordinal);
    private readonly ITimer _sweeper;
    private long _forgotten;

    public VerifiedCredentials(IGrainFactory grains, TimeProvider time)
    {
        _grains = grains;
        _time = time;
        _self = new Lazy<ICredentialHolder>(() => _grains.CreateObjectReference<ICredentialHolder>(this));
        _sweeper = time.CreateTimer(_ => Sweep(), null, SweepPeriod, SweepPeriod);
    }

    /// <summary>The key's principal and this request's rate decision, or null for a wrong secret or an inactive key.</summary>
    public async ValueTask<(KeyPrincipal Principal, RateDecision Rate)?> AuthenticateKeyAsync(string prefix, string secret)
    {
        // The grain reference is made only on a miss: making one costs more than the rest of a hit.
        var verified = await AuthenticateAsync(CredentialIds.ApiKey(prefix), SHA256.HashData(Encoding.UTF8.GetBytes(secret)), async (holder, batch) =>
            await _grains.GetGrain<IApiKeyGrain>(prefix).Lease(secret, holder, batch) is { } lease ? (lease.Principal, lease.Lease) : null);
        return verified is { } v ? ((KeyPrincipal)v.Principal, v.Rate) : null;
    }

    /// <summary>The session's principal and this request's rate decision, or null for an unknown, ended or revoked session.</summary>
    public async ValueTask<(SessionPrincipal Principal, RateDecision Rate)?> AuthenticateSessionAsync(string tokenHash)
    {
        var verified = await AuthenticateAsync(CredentialIds.Session(tokenHash), Convert.FromHexString(tokenHash), async (holder, batch) =>
            await _grains.GetGrain<ISessionGrain>(tokenHash).Lease(holder, batch) is { } lease ? (lease.Principal, lease.Lease) : null);
        return verified is { } v ? ((SessionPrincipal)v.Principal, v.Rate) : null;
    }

    public Task Forget(string credential)
    {
        Interlocked.Increment(ref _forgotten);
        _slots.TryRemove(credential, out _);
        return Task.CompletedTask;
    }

    private async ValueTask<(object Principal, RateDecision Rate)?> AuthenticateAsync(
        string credential, byte[] secretHash, Func<ICredentialHolder, bool, Task<(object Principal, CredentialLease Lease)?>> lease)
    {
        var slot = _slots.GetOrAdd(credential, static _ => new Slot());
        if (slot.Current is { } current && current.EndsAt > _time.GetTimestamp())
        {
            if (!CryptographicOperations.FixedTimeEquals(current.SecretHash, secretHash)) return null;
            if (current.TryTake(_time.GetTimestamp(), out var cached)) return (current.Principal, cached);
        }

        // Each miss asks the grain itself and keeps the first token of its lease, so concurrent misses are each
        // served as they would be without a cache; only a miss with no other in flight asks for a batch, whose
        // rest is left for the requests after it.
        var forgotten = Interlocked.Read(ref _forgotten);
        var asked = _time.GetTimestamp();
        (object Principal, CredentialLease Lease)? answer;
        var alone = Interlocked.Increment(ref slot.Asking) == 1;
        try
        {
            answer = await lease(_self.Value, alone);
        }
        finally
        {
            Interlocked.Decrement(ref slot.Asking);
        }

        var kept = Interlocked.Read(ref _forgotten) == forgotten;
        if (answer is not { } a)
        {
            if (kept) slot.Current = null;
            return null;
        }

        var endsAt = asked + (long)(a.Lease.Lifetime.TotalSeconds * _time.TimestampFrequency);
        var grant = new Grant(a.Principal, secretHash, a.Lease, endsAt, _time.TimestampFrequency);
        var decision = grant.TakeOwn(asked);
        lock (slot)
        {
            var previous = slot.Current;
            var sameSecret = previous is not null && previous.EndsAt > asked && CryptographicOperations.FixedTimeEquals(previous.SecretHash, secretHash);
            // Tokens leased to this node by a concurrent miss are this node's to spend: a refused miss takes one of them.
            if (!decision.Allowed && sameSecret && previous!.TryTake(_time.GetTimestamp(), out var spare) && spare.Allowed) decision = spare;
            if (kept && (!sameSecret || grant.Tokens > 0 || previous!.Tokens == 0))
            {
                if (sameSecret) grant.Carry(previous!);
                slot.Current = grant;
            }
        }

        return (a.Principal, decision);
    }

    private void Sweep()
    {
        var now = _time.GetTimestamp();
        foreach (var (credential, slot) in _slots)
            if (Volatile.Read(ref slot.Asking) == 0 && (slot.Current is null || slot.Current.EndsAt <= now)) _slots.TryRemove(KeyValuePair.Create(credential, slot));
    }

    public void Dispose() => _sweeper.Dispose();

    private sealed class Slot
    {
        public volatile Grant? Current;
        public int Asking;
    }

    /// <summary>One lease as the node spends it: the tokens left, or the time before which the bucket has none.</summary>
    private sealed class Grant(object principal, byte[] secretHash, CredentialLease lease, long endsAt, long frequency)
    {
        private int _tokens = lease.Tokens;

        public object Principal { get; } = principal;
        public byte[] SecretHash { get; } = secretHash;
        public long EndsAt { get; } = endsAt;
        public int Tokens => Math.Max(0, Volatile.Read(ref _tokens));

        /// <summary>The decision for the request that asked for the lease: its first token, or the bucket's refusal.</summary>
        public RateDecision TakeOwn(long asked) => TryTake(asked, out var decision) ? decision : Refused(asked);

        /// <summary>
        /// True with a decision while the lease decides: a token (allowed), or, for a lease granted without tokens,
        /// a refusal until it ends. False when its tokens are spent: the caller asks the grain again.
        /// </summary>
        public bool TryTake(long now, out RateDecision decision)
        {
            if (lease.Tokens == 0)
            {
                decision = Refused(now);
                return now < EndsAt;
            }

            var left = Interlocked.Decrement(ref _tokens);
            if (left < 0)
            {
                Interlocked.Increment(ref _tokens);
                decision = Refused(now);
                return false;
            }

            decision = lease.Rate with { Allowed = true, Remaining = lease.Rate.Remaining + left, RetryAfterSeconds = 0 };
            return true;
        }

        /// <summary>Moves the unspent tokens of <paramref name="older"/> (the same node's earlier lease) into this one.</summary>
        public void Carry(Grant older)
        {
            var carried = Interlocked.Exchange(ref older._tokens, 0);
            if (carried > 0) Interlocked.Add(ref _tokens, carried);
        }

        private RateDecision Refused(long now)
        {
            var secondsLeft = Math.Max(0, (EndsAt - now) / (double)frequency);
            return lease.Rate with { Allowed = false, Remaining = 0, RetryAfterSeconds = Math.Max(1, (int)Math.Ceiling(secondsLeft)) };
        }
    }
}
