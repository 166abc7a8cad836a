using Ipto.Api.Http;
using Ipto.Api.Http.OpenApi;
using Ipto.Api.Http.Auth;
using Ipto.Api.Http.Idempotency;
using Ipto.Common;
using Ipto.Datasets;
using Ipto.Identity;
using Ipto.Search;

namespace Ipto.Api.Endpoints;

public sealed record SearchFiltersBody(
    IReadOnlyList<string>? SourceModality, IReadOnlyList<string>? ContentType, IReadOnlyList<string>? ObjectIds,
    DateTimeOffset? UploadedAfter, DateTimeOffset? UploadedBefore);

public sealed record SearchRequestBody(
    string? Query, string? Mode, IReadOnlyList<string>? DatasetIds, SearchFiltersBody? Filters, int? Limit, string? Cursor,
    decimal? MaxPricePerResult, bool? IncludeOwn) : IValidatable
{
    public const int MaxQueryLength = 2000;
    public const int MaxLimit = 50;
    public const int DefaultLimit = 10;
    public const int MaxListItems = 100;
    public const int MaxContentTypeLength = 200;
    private static readonly string TooMany = $"must have at most {MaxListItems} items";

    public void Validate(ValidationErrors errors)
    {
        if (Cursor is null) errors.Required("query", Query);
        errors.Length("query", Query, 1, MaxQueryLength);
        errors.OneOf("mode", Mode, [.. SearchModes.All]);
        errors.Range("limit", Limit, 1, MaxLimit);
        if (Cursor is not null && Cursor.Length == 0) errors.Add("cursor", "must not be empty");
        Ids("dataset_ids", DatasetIds, IdPrefixes.Dataset, errors);
        errors.Amount("max_price_per_result", MaxPricePerResult, Money.MaxUnitPriceMicros);
        if (Filters is not { } f) return;
        errors.MaxItems("filters.source_modality", f.SourceModality, MaxListItems, TooMany);
        errors.EachOneOf("filters.source_modality", f.SourceModality, DatasetVocabulary.Modalities, nullIssue: "must not be null", checkedItems: MaxListItems);
        errors.MaxItems("filters.content_type", f.ContentType, MaxListItems, TooMany);
        errors.EachText("filters.content_type", f.ContentType, 1, MaxContentTypeLength, $"must be 1 to {MaxContentTypeLength} characters", "must not be null", MaxListItems, allowBlank: true);
        Ids("filters.object_ids", f.ObjectIds, IdPrefixes.Object, errors);
        if (f.UploadedAfter is { } after && f.UploadedBefore is { } before && after >= before)
            errors.Add("filters.uploaded_after", "must be before filters.uploaded_before");
    }

    public SearchRequest ToRequest() => new(
        Query!, Mode ?? SearchModes.Auto, DatasetIds?.Distinct().ToArray(),
        Filters is { } f ? new SearchFilters(f.SourceModality, f.ContentType, f.ObjectIds, f.UploadedAfter, f.UploadedBefore) : null,
        Limit ?? DefaultLimit, MaxPricePerResult is { } max && Money.TryToMicros(max, Money.MaxUnitPriceMicros, out var micros) ? micros : null, IncludeOwn ?? true);

    private static void Ids(string field, IReadOnlyList<string>? ids, string prefix, ValidationErrors errors) =>
        List(field, ids, errors, (itemField, id) =>
        {
            if (!Common.Ids.IsValid(id, prefix)) errors.Add(itemField, $"is not a {prefix}_ id");
        });

    private static void List(string field, IReadOnlyList<string>? values, ValidationErrors errors, Action<string, string> check)
    {
        errors.MaxItems(field, values, MaxListItems, TooMany);
        if (values is null) return;
        for (var i = 0; i < values.Count && i < MaxListItems; i++)
        {
            if (values[i] is null) errors.Add($"{field}[{i}]", "must not be null");
            else check($"{field}[{i}]", values[i]);
        }
    }
}

public sealed record SearchResultResponse(
    string? RetrievalEventId, string DatasetId, string DatasetName, string ObjectId, string Filename, string ContentType, double Score,
    string Snippet, IReadOnlyList<Highlight> Highlights, CitationLocator Locator, decimal Price, string Currency);

public sealed record SearchResponse(
    string SearchId, string Mode, IReadOnlyList<SearchResultResponse> Results, int ResultCount, decimal ChargedAmount, string Currency,
    string? NextCursor, bool TruncatedBySpendLimit);

/// <summary>Search (SPEC §7): one endpoint, every mode, cursor pages within a search session.</summary>
public static class SearchEndpoints
{
    public static RouteGroupBuilder MapSearchEndpoints(this RouteGroupBuilder v1)
    {
        v1.MapPost("/search", SearchAsync).WithTags("Search").RequireScope(Scopes.SearchQuery).WithIdempotency().WithName("Search")
            .WithErrorStatus(StatusCodes.Status402PaymentRequired).WithErrorStatus(StatusCodes.Status404NotFound)
            .WithSummary("Search")
            .WithDescription("Searches every dataset the caller may use (lexical, semantic, hybrid or auto mode) and answers results with snippets, "
                + "citation locators and prices. Each result is a billed retrieval; an API key past its spend limit is 402. Send `cursor` "
                + "(without `query`) for the next page of the same search.");
        return v1;
    }

    private static async Task<EnvelopeResult<SearchResponse>> SearchAsync(JsonBody<SearchRequestBody> body, HttpContext http, IGrainFactory grains)
    {
        var caller = http.Require();
        var request = body.Value;
        var coordinator = grains.GetGrain<ISearchCoordinatorGrain>(0);
        var attempt = http.CreationSeed() is { } seed ? new SearchAttempt(seed, http.EarlierAttemptBegan()) : null;
        var page = request.Cursor is null
            ? await coordinator.Search(caller, request.ToRequest(), attempt)
            : await coordinator.Continue(caller, request.Cursor, request.Limit ?? SearchRequestBody.DefaultLimit, attempt);

        var results = page.Results.Select(r => new SearchResultResponse(r.RetrievalEventId, r.DatasetId, r.DatasetName, r.ObjectId, r.Filename,
            r.ContentType, r.Score, r.Snippet, r.Highlights, r.Locator, Money.FromMicros(r.PriceMicros), Money.Currency)).ToArray();
        return ApiResults.Ok(new SearchResponse(page.SearchId, page.Mode, results, results.Length, Money.FromMicros(page.ChargedMicros), Money.Currency,
            page.NextCursor, page.TruncatedBySpendLimit));
    }
}
