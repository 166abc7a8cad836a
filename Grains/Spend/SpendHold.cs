using Ipto.Common;
using Ipto.Identity;
using Ipto.Search;

namespace Ipto.Grains.Spend;

/// <summary>
/// One charge admitted by the key's spend counter (the single place that admits charges) before its ledger write;
/// released when the write fails or finds the charge already recorded. Sessions and keys without a limit hold nothing.
/// </summary>
public sealed class SpendHold(ISpendCounterGrain counter, string period, long micros)
{
    /// <summary>402 <c>spend_limit_exceeded</c> when the charge does not fit what the key's limit leaves for the period.</summary>
    public static async Task<SpendHold?> TakeAsync(IGrainFactory grains, Caller buyer, long micros)
    {
        if (micros <= 0 || buyer.PrincipalType != PrincipalTypes.ApiKey || buyer.SpendLimit is not { } limit) return null;
        var counter = grains.GetGrain<ISpendCounterGrain>(buyer.PrincipalId);
        var reservation = await counter.Reserve(buyer.TenantId, limit, [micros]);
        if (reservation.Admitted == 0)
        {
            Diagnostics.IptoMetrics.SpendLimitRefused();
            throw new IptoException(ErrorCodes.SpendLimitExceeded, "This API key's remaining budget for the period does not cover this charge.");
        }
        return new SpendHold(counter, reservation.Period, micros);
    }

    public Task ReleaseAsync() => counter.Release(period, micros);
}

public static class SpendHoldExtensions
{
    /// <summary>Runs the ledger write of a held charge; the hold is given back when it fails or writes nothing.</summary>
    public static async Task<bool> CommitAsync(this SpendHold? hold, Func<Task<bool>> write)
    {
        bool written;
        try
        {
            written = await write();
        }
        catch
        {
            if (hold is not null) await hold.ReleaseAsync();
            throw;
        }

        if (!written && hold is not null) await hold.ReleaseAsync();
        return written;
    }
}
