using Ipto.Identity;
using Microsoft.Extensions.Logging;

namespace Ipto.Grains.Identity;

/// <summary>
/// The grain side of credential leases: which nodes hold a lease of this activation's credential and until when.
/// A lease carries a batch of rate-limit tokens (about a tenth of a second's worth, at least one), so the bucket in
/// the grain still bounds the whole cluster while a busy node calls it a few times a second instead of per request.
/// <see cref="ForgetEverywhereAsync"/> answers only once every holder has dropped the credential or its lease has run
/// out. Leases an earlier activation granted are unknown here; the grain says whether there may be some (it records
/// in its state that it leased before granting), and then the first revocation waits out their lifetime.
/// </summary>
public sealed class LeaseHolders(TimeProvider time, ILogger logger)
{
    /// <summary>The longest a node serves a credential without asking its grain again.</summary>
    public static readonly TimeSpan MaxLifetime = TimeSpan.FromSeconds(5);

    private const double BatchSeconds = 0.1;

    private readonly Dictionary<GrainId, (ICredentialHolder Holder, DateTimeOffset Until)> _holders = [];
    private readonly DateTimeOffset _activatedAt = time.GetUtcNow();

    /// <summary>
    /// Takes tokens for <paramref name="holder"/> (a batch, or one for a node that already has a request for a batch
    /// in flight, so a burst of concurrent first requests is admitted as without leases) and records the lease until
    /// it ends, never after <paramref name="notAfter"/>.
    /// </summary>
    public CredentialLease Grant(ICredentialHolder holder, TokenBucket bucket, bool batch, DateTimeOffset? notAfter)
    {
        var now = time.GetUtcNow();
        var wanted = batch ? (int)Math.Clamp(Math.Floor(bucket.Rate * BatchSeconds), 1, 1_000_000) : 1;
        var (taken, decision, nextToken) = bucket.TakeUpTo(wanted, now);
        var lifetime = taken > 0 || nextToken > MaxLifetime ? MaxLifetime : nextToken;
        if (notAfter is { } end && end - now < lifetime) lifetime = end > now ? end - now : TimeSpan.Zero;
        var until = now + lifetime;
        var id = holder.GetGrainId();
        if (!_holders.TryGetValue(id, out var held) || held.Until < until) _holders[id] = (holder, until);
        return new CredentialLease(taken, lifetime, decision);
    }

    /// <summary>
    /// Every holder forgets <paramref name="credential"/>: awaited per holder, or until its lease ends when it does not
    /// answer (a node that cannot be reached stops using the lease by then on its own clock).
    /// </summary>
    public async Task ForgetEverywhereAsync(string credential, bool earlierActivationLeased)
    {
        var now = time.GetUtcNow();
        var live = _holders.Values.Where(h => h.Until > now).ToList();
        _holders.Clear();
        await Task.WhenAll(live.Select(h => ForgetAsync(h.Holder, h.Until, credential)));
        if (!earlierActivationLeased) return;
        var earlier = _activatedAt + MaxLifetime - time.GetUtcNow();
        if (earlier > TimeSpan.Zero) await Task.Delay(earlier, time);
    }

    private async Task ForgetAsync(ICredentialHolder holder, DateTimeOffset until, string credential)
    {
        try
        {
            var left = until - time.GetUtcNow();
            if (left <= TimeSpan.Zero) return;
            await holder.Forget(credential).WaitAsync(left, time);
        }
        catch (Exception e)
        {
            logger.LogWarning("A node holding a lease did not confirm it forgot a credential ({Reason}); waiting out the lease", e.GetType().Name);
            var left = until - time.GetUtcNow();
            if (left > TimeSpan.Zero) await Task.Delay(left, time);
        }
    }
}
