using Ipto.Billing;
using Ipto.Common;
using Ipto.Grains.Metering;
using Ipto.Grains.Spend;
using Ipto.Metering;

namespace Ipto.Grains.Billing;

/// <summary>
/// One principal's downloads of one object: the first in a rolling window is charged and recorded before the answer;
/// later ones in the window answer the same access event, free. The window's start is read from the ledger on
/// activation, so a restart does not charge twice.
/// </summary>
public sealed class DownloadChargeGrain(BillableEvents events, LedgerWriter ledger, TimeProvider time) : Grain, IDownloadChargeGrain
{
    public static readonly TimeSpan Window = TimeSpan.FromHours(24);

    private bool _loaded;
    private (string AccessId, DateTimeOffset At)? _last;

    public async Task<DownloadCharge> Charge(Caller buyer, DownloadTerms terms)
    {
        if (this.GetPrimaryKeyString() != IDownloadChargeGrain.KeyOf(buyer, terms.ObjectId))
            throw new ArgumentException("The download grain is keyed by the buyer's principal and the object.", nameof(terms));
        var now = time.GetUtcNow();
        if (!_loaded)
        {
            _last = await events.LastDownloadAsync(buyer.PrincipalId, terms.ObjectId, now - Window);
            _loaded = true;
        }

        if (_last is { } last && last.At > now - Window) return new DownloadCharge(last.AccessId, 0);

        var accessId = Ids.New(IdPrefixes.Access, now);
        var row = new AccessEventRow(accessId, AccessTypes.Download, buyer.TenantId, terms.ProviderTenantId, terms.DatasetId, terms.ObjectId,
            buyer.ApiKeyId, null, terms.PriceMicros, now) { PrincipalId = buyer.PrincipalId };
        var hold = await SpendHold.TakeAsync(GrainFactory, buyer, terms.PriceMicros);
        await hold.CommitAsync(() => ledger.AppendAsync([row]));
        _last = (accessId, now);
        return new DownloadCharge(accessId, terms.PriceMicros);
    }
}
