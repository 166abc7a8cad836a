using Ipto.Common;
using Ipto.Idempotency;

namespace Ipto.Payouts;

/// <summary>
/// One provider tenant's statement for one settlement period, keyed <c>{tenant_id}/{period key}</c>. Opened by the
/// ledger writer before the period's first billable event of the provider commits; one reminder closes it at
/// <c>period_end + CloseGrace</c> and releases it at <c>hold_until</c>, each exactly once. A caller of another tenant
/// gets not_found; holds and mark-paid need a platform admin.
/// </summary>
[Alias("Ipto.IPayoutStatementGrain")]
public interface IPayoutStatementGrain : IGrainWithStringKey
{
    /// <summary>Makes sure the statement exists and its reminder is set (a no-op once it is).</summary>
    [Alias("Open")]
    Task Open();

    [Alias("Get")]
    Task<PayoutStatement> Get(Caller caller);

    [Alias("PlaceHold")]
    Task<PayoutHold> PlaceHold(Caller caller, NewPayoutHold hold, CreationSeed? seed = null);

    [Alias("LiftHold")]
    Task<PayoutHold> LiftHold(Caller caller, string holdId);

    [Alias("MarkPaid")]
    Task<PayoutStatement> MarkPaid(Caller caller, string? reference);
}

/// <summary>
/// Statements as a collection (SPEC §9, §13): the provider's and the platform's lists from the read model, and the
/// statement behind a <c>pay_</c> id. Stateless: any silo answers (use key 0).
/// </summary>
[Alias("Ipto.IPayoutDirectoryGrain")]
public interface IPayoutDirectoryGrain : IGrainWithIntegerKey
{
    /// <summary>The caller's tenant's statements, newest period first.</summary>
    [Alias("ListOwn")]
    Task<Page<PayoutStatement>> ListOwn(Caller caller, PayoutFilter filter, PageRequest page);

    /// <summary>Every tenant's statements, newest period first (platform admins).</summary>
    [Alias("ListAll")]
    Task<Page<PayoutStatement>> ListAll(Caller caller, PayoutFilter filter, PageRequest page);

    [Alias("Get")]
    Task<PayoutStatement> Get(Caller caller, string statementId);

    [Alias("PlaceHold")]
    Task<PayoutHold> PlaceHold(Caller caller, string statementId, NewPayoutHold hold, CreationSeed? seed = null);

    [Alias("LiftHold")]
    Task<PayoutHold> LiftHold(Caller caller, string statementId, string holdId);

    [Alias("MarkPaid")]
    Task<PayoutStatement> MarkPaid(Caller caller, string statementId, string? reference);
}
