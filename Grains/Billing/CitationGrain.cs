using Ipto.Billing;
using Ipto.Common;
using Ipto.Datasets;
using Ipto.Grains.Metering;
using Ipto.Grains.Spend;
using Ipto.Identity;
using Ipto.Metering;

namespace Ipto.Grains.Billing;

/// <summary>
/// Cites one retrieval event. Calls are one at a time here, and the ledger's unique citation index backs that up
/// across activations, so an event is charged for one citation only; the citation is read back from the ledger.
/// </summary>
public sealed class CitationGrain(BillableEvents events, LedgerWriter ledger, TimeProvider time) : Grain, ICitationGrain
{
    public const int MaxContextLength = 2000;

    private Citation? _citation;

    private string RetrievalEventId => this.GetPrimaryKeyString();

    public async Task<CitationResult> Cite(Caller buyer, string? context)
    {
        Access.RequireScope(buyer, Scopes.SearchQuery);
        if (context is { Length: > MaxContextLength })
            throw new IptoException(ErrorCodes.ValidationFailed, "The request has invalid fields.", [new FieldError("context", $"must be at most {MaxContextLength} characters")]);
        if (!Ids.IsValid(RetrievalEventId, IdPrefixes.Retrieval)) throw IptoException.NotFound("Retrieval event");
        var retrieval = await events.FindRetrievalAsync(RetrievalEventId);
        if (retrieval is null || !buyer.Owns(retrieval.TenantId)) throw IptoException.NotFound("Retrieval event");

        _citation ??= await events.FindCitationAsync(RetrievalEventId);
        if (_citation is not null) return new CitationResult(_citation, false);

        var terms = await GrainFactory.GetGrain<IDatasetGrain>(retrieval.DatasetId).GetTerms(buyer);
        var price = terms?.Pricing.PricePerCitationMicros ?? 0;
        var now = time.GetUtcNow();
        var citation = new Citation(Ids.New(IdPrefixes.Citation, now), RetrievalEventId, retrieval.DatasetId, retrieval.ObjectId ?? "", retrieval.Locator,
            price, context, now);
        var row = new AccessEventRow(citation.CitationId, AccessTypes.Citation, buyer.TenantId, retrieval.ProviderTenantId, retrieval.DatasetId,
            retrieval.ObjectId, buyer.ApiKeyId, null, price, now)
        {
            PrincipalId = buyer.PrincipalId, RetrievalEventId = RetrievalEventId, Locator = retrieval.Locator, Context = context,
        };

        var hold = await SpendHold.TakeAsync(GrainFactory, buyer, price);
        if (await hold.CommitAsync(() => ledger.AppendAsync([row], mayRepeat: true)))
        {
            _citation = citation;
            return new CitationResult(citation, true);
        }

        // Another activation recorded the citation first (the unique index kept this one out).
        _citation = await events.FindCitationAsync(RetrievalEventId) ?? throw new InvalidOperationException("The citation was refused but is not recorded.");
        return new CitationResult(_citation, false);
    }
}
