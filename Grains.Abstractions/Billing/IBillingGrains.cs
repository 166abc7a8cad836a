using Ipto.Common;
using Ipto.Idempotency;

namespace Ipto.Billing;

/// <summary>
/// The citations of one retrieval event (keyed by its <c>ret_</c> id): the first citation by the buyer who retrieved
/// it is charged (and durable before the answer), every later request gets the same citation for free. Another
/// tenant's or an unknown retrieval event is not_found.
/// </summary>
[Alias("Ipto.ICitationGrain")]
public interface ICitationGrain : IGrainWithStringKey
{
    [Alias("Cite")]
    Task<CitationResult> Cite(Caller buyer, string? context);
}

/// <summary>
/// Outcome reports (SPEC §13): the revenue split evenly over the distinct datasets of the listed retrieval events
/// (floor per share), providers of <c>outcome_share</c> datasets charged their percentage (floor). Under an
/// Idempotency-Key's seed a retry answers the first report. Stateless: any silo answers (use key 0).
/// </summary>
[Alias("Ipto.IOutcomeGrain")]
public interface IOutcomeGrain : IGrainWithIntegerKey
{
    [Alias("Report")]
    Task<Outcome> Report(Caller buyer, OutcomeReport report, CreationSeed? seed = null);
}

/// <summary>
/// One principal's downloads of one object (keyed <c>{principal_id}/{object_id}</c>): charged once per rolling 24 h,
/// the same access event answered within the window.
/// </summary>
[Alias("Ipto.IDownloadChargeGrain")]
public interface IDownloadChargeGrain : IGrainWithStringKey
{
    [Alias("Charge")]
    Task<DownloadCharge> Charge(Caller buyer, DownloadTerms terms);

    public static string KeyOf(Caller buyer, string objectId) => $"{buyer.PrincipalId}/{objectId}";
}
