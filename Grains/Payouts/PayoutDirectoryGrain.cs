using Ipto.Common;
using Ipto.Grains.Storage;
using Ipto.Idempotency;
using Ipto.Identity;
using Ipto.Payouts;
using Orleans.Concurrency;

namespace Ipto.Grains.Payouts;

/// <summary>
/// Statement lists from the read model (open statements answered live by their grains) and the statement behind a
/// <c>pay_</c> id; the statement grain checks tenancy and rights.
/// </summary>
[StatelessWorker]
public sealed class PayoutDirectoryGrain(PayoutProjection projection, KeysetPager pager) : Grain, IPayoutDirectoryGrain
{
    public Task<Page<PayoutStatement>> ListOwn(Caller caller, PayoutFilter filter, PageRequest page)
    {
        Access.RequireScope(caller, Scopes.BillingRead);
        return ListAsync(caller, filter with { TenantId = caller.TenantId }, page, "own");
    }

    public Task<Page<PayoutStatement>> ListAll(Caller caller, PayoutFilter filter, PageRequest page)
    {
        Access.RequirePlatformAdmin(caller);
        Filter.Id("tenant_id", filter.TenantId, IdPrefixes.Tenant, "a tenant id");
        return ListAsync(caller, filter, page, "all");
    }

    public async Task<PayoutStatement> Get(Caller caller, string statementId) => await (await StatementAsync(statementId)).Get(caller);

    public async Task<PayoutHold> PlaceHold(Caller caller, string statementId, NewPayoutHold hold, CreationSeed? seed = null) =>
        await (await StatementAsync(statementId)).PlaceHold(caller, hold, seed);

    public async Task<PayoutHold> LiftHold(Caller caller, string statementId, string holdId) =>
        await (await StatementAsync(statementId)).LiftHold(caller, holdId);

    public async Task<PayoutStatement> MarkPaid(Caller caller, string statementId, string? reference) =>
        await (await StatementAsync(statementId)).MarkPaid(caller, reference);

    private async Task<Page<PayoutStatement>> ListAsync(Caller caller, PayoutFilter filter, PageRequest page, string list)
    {
        Filter.OneOf("status", filter.Status, PayoutStatuses.All);
        if (filter.From >= filter.To) throw Filter.Invalid("from must be before to.", "from", "must be before to");
        var scope = $"payouts:{list}:{filter.TenantId}:{filter.Status}:{filter.From?.UtcTicks}:{filter.To?.UtcTicks}";
        var rows = await pager.PageAsync(page, scope, (after, take) => projection.ListAsync(filter, after, take), r => r.Statement.StatementId);
        // An open statement's amounts are live: its grain answers them from the ledger.
        var items = await Task.WhenAll(rows.Items.Select(r => r.Statement.Status == PayoutStatuses.Open
            ? GrainFactory.GetGrain<IPayoutStatementGrain>(r.GrainKey).Get(caller)
            : Task.FromResult(r.Statement)));
        return new Page<PayoutStatement>(items, rows.NextCursor, rows.HasMore);
    }

    private async Task<IPayoutStatementGrain> StatementAsync(string statementId)
    {
        if (!Ids.IsValid(statementId, IdPrefixes.PayoutStatement) || await projection.FindAsync(statementId) is not { } location)
            throw IptoException.NotFound("Payout statement");
        return GrainFactory.GetGrain<IPayoutStatementGrain>(location.GrainKey);
    }
}
