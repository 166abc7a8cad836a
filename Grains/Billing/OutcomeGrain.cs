using System.Text.Json;
using Ipto.Billing;
using Ipto.Common;
using Ipto.Datasets;
using Ipto.Grains.Idempotency;
using Ipto.Grains.Metering;
using Ipto.Grains.Spend;
using Ipto.Grains.Storage;
using Ipto.Idempotency;
using Ipto.Identity;
using Ipto.Metering;
using Orleans.Concurrency;

namespace Ipto.Grains.Billing;

[StatelessWorker]
public sealed class OutcomeGrain(BillableEvents events, LedgerWriter ledger, TimeProvider time) : Grain, IOutcomeGrain
{
    public async Task<Outcome> Report(Caller buyer, OutcomeReport report, CreationSeed? seed = null)
    {
        Access.RequireScope(buyer, Scopes.SearchQuery);
        Validate(report);
        var values = new CreationValues(seed);
        var outcomeId = values.NewId(IdPrefixes.Outcome);
        if (seed is not null && await events.FindOutcomeAsync(outcomeId) is { } earlier) return earlier;

        var retrievals = new List<RetrievalEvent>(report.RetrievalEventIds.Count);
        for (var i = 0; i < report.RetrievalEventIds.Count; i++)
        {
            var id = report.RetrievalEventIds[i];
            var retrieval = Ids.IsValid(id, IdPrefixes.Retrieval) ? await events.FindRetrievalAsync(id) : null;
            if (retrieval is null || !buyer.Owns(retrieval.TenantId))
                throw new IptoException(ErrorCodes.NotFound, $"Retrieval event {id} was not found.",
                    [new FieldError($"retrieval_event_ids[{i}]", "is not a retrieval event of this tenant")]);
            retrievals.Add(retrieval);
        }

        var now = time.GetUtcNow();
        var datasets = retrievals.DistinctBy(r => r.DatasetId).ToArray();
        var shareMicros = report.RevenueMicros / datasets.Length; // floor: the remainder is never charged
        var shares = new List<OutcomeShare>(datasets.Length);
        var rows = new List<LedgerRow>();
        foreach (var retrieval in datasets)
        {
            var terms = await GrainFactory.GetGrain<IDatasetGrain>(retrieval.DatasetId).GetTerms(buyer);
            var charged = ProviderShare(shareMicros, terms);
            shares.Add(new OutcomeShare(retrieval.DatasetId, shareMicros, charged));
            if (charged > 0)
                rows.Add(new AccessEventRow(values.NewId(IdPrefixes.Access), AccessTypes.Outcome, buyer.TenantId, retrieval.ProviderTenantId,
                    retrieval.DatasetId, null, buyer.ApiKeyId, null, charged, now) { PrincipalId = buyer.PrincipalId, OutcomeId = outcomeId });
        }

        var total = Money.Sum(shares.Select(s => s.ChargedMicros));
        var outcome = new Outcome(outcomeId, report.RetrievalEventIds, report.RevenueMicros, report.Currency, total, shares, report.Description, now);
        rows.Insert(0, new OutcomeRow(outcomeId, buyer.TenantId, JsonSerializer.Serialize(outcome, ProjectionJson.Default.Outcome), now));

        var hold = await SpendHold.TakeAsync(GrainFactory, buyer, total);
        if (await hold.CommitAsync(() => ledger.AppendAsync(rows, mayRepeat: seed is not null))) return outcome;
        // An earlier attempt under the same Idempotency-Key recorded it first.
        return await events.FindOutcomeAsync(outcomeId) ?? throw new InvalidOperationException("The outcome was refused but is not recorded.");
    }

    /// <summary>What an <c>outcome_share</c> dataset's provider earns of a share: its percentage, rounded down; others nothing.</summary>
    public static long ProviderShare(long shareMicros, DatasetTerms? terms) =>
        terms is { MonetizationMode: "outcome_share" } ? checked((long)decimal.Floor(shareMicros * terms.Pricing.OutcomeSharePct / 100m)) : 0;

    private static void Validate(OutcomeReport report)
    {
        var errors = new List<FieldError>();
        if (report.RetrievalEventIds.Count is < 1 or > OutcomeReport.MaxEvents)
            errors.Add(new FieldError("retrieval_event_ids", $"must list 1 to {OutcomeReport.MaxEvents} retrieval events"));
        for (var i = 0; i < report.RetrievalEventIds.Count; i++)
            if (report.RetrievalEventIds.Take(i).Contains(report.RetrievalEventIds[i], StringComparer.Ordinal))
                errors.Add(new FieldError($"retrieval_event_ids[{i}]", "is listed twice"));
        if (report.RevenueMicros is <= 0 or > OutcomeReport.MaxRevenueMicros)
            errors.Add(new FieldError("revenue_amount", "must be greater than 0 and at most 1000000000"));
        if (report.Currency != Money.Currency) errors.Add(new FieldError("currency", $"must be {Money.Currency}"));
        if (report.Description is { Length: > OutcomeReport.MaxDescriptionLength })
            errors.Add(new FieldError("description", $"must be at most {OutcomeReport.MaxDescriptionLength} characters"));
        if (errors.Count > 0) throw new IptoException(ErrorCodes.ValidationFailed, "The request has invalid fields.", errors);
    }
}
