using Ipto.Common;

namespace Ipto.Search;

public static class SearchModes
{
    public const string Auto = "auto";
    public const string Lexical = "lexical";
    public const string Dense = "dense";
    public const string Hybrid = "hybrid";

    public static readonly IReadOnlyList<string> All = [Auto, Lexical, Dense, Hybrid];
}

[GenerateSerializer, Alias("Ipto.SearchFilters")]
public sealed record SearchFilters(
    [property: Id(0)] IReadOnlyList<string>? SourceModalities,
    [property: Id(1)] IReadOnlyList<string>? ContentTypes,
    [property: Id(2)] IReadOnlyList<string>? ObjectIds,
    [property: Id(3)] DateTimeOffset? UploadedAfter,
    [property: Id(4)] DateTimeOffset? UploadedBefore);

/// <summary>A validated <c>POST /v1/search</c> request (prices in micro-USD).</summary>
[GenerateSerializer, Alias("Ipto.SearchRequest")]
public sealed record SearchRequest(
    [property: Id(0)] string Query,
    [property: Id(1)] string Mode,
    [property: Id(2)] IReadOnlyList<string>? DatasetIds,
    [property: Id(3)] SearchFilters? Filters,
    [property: Id(4)] int Limit,
    [property: Id(5)] long? MaxPricePerResultMicros,
    [property: Id(6)] bool IncludeOwn);

[GenerateSerializer, Alias("Ipto.Highlight")]
public sealed record Highlight([property: Id(0)] int Start, [property: Id(1)] int End);

[GenerateSerializer, Alias("Ipto.SearchResult")]
public sealed record SearchResult(
    [property: Id(0)] string? RetrievalEventId,
    [property: Id(1)] string DatasetId,
    [property: Id(2)] string DatasetName,
    [property: Id(3)] string ObjectId,
    [property: Id(4)] string Filename,
    [property: Id(5)] string ContentType,
    [property: Id(6)] double Score,
    [property: Id(7)] string Snippet,
    [property: Id(8)] IReadOnlyList<Highlight> Highlights,
    [property: Id(9)] CitationLocator Locator,
    [property: Id(10)] long PriceMicros);

/// <summary>One page of a search. <see cref="NextCursor"/> is set when more results can be paged (the session, signed for the caller).</summary>
[GenerateSerializer, Alias("Ipto.SearchPage")]
public sealed record SearchPage(
    [property: Id(0)] string SearchId,
    [property: Id(1)] string Mode,
    [property: Id(2)] IReadOnlyList<SearchResult> Results,
    [property: Id(3)] long ChargedMicros,
    [property: Id(4)] string? NextCursor,
    [property: Id(5)] bool TruncatedBySpendLimit);

/// <summary>
/// One attempt of an idempotent search (under an Idempotency-Key): every attempt derives the same search id from the
/// key's seed, so the ledger records the search once; an attempt after one that <see cref="MayHaveRun"/> first looks
/// for its page.
/// </summary>
[GenerateSerializer, Alias("Ipto.SearchAttempt")]
public sealed record SearchAttempt([property: Id(0)] Ipto.Idempotency.CreationSeed Seed, [property: Id(1)] bool MayHaveRun);

/// <summary>
/// Runs searches for a caller (SPEC §7): resolves the datasets it may use (tenancy checked by each dataset grain),
/// fans out to their indexes, fuses and dedups, prices, enforces the key's spend limit, writes the search activity and
/// retrieval events to the ledger before answering, and keeps a session for the next pages.
/// </summary>
[Alias("Ipto.ISearchCoordinatorGrain")]
public interface ISearchCoordinatorGrain : IGrainWithIntegerKey
{
    /// <summary>A search's first page; with an <paramref name="attempt"/>, every attempt is recorded and charged once and answers the same page.</summary>
    [Alias("Search")]
    Task<SearchPage> Search(Caller caller, SearchRequest request, SearchAttempt? attempt = null);

    /// <summary>The next page of a search session; results shown before are never shown or charged again.</summary>
    [Alias("Continue")]
    Task<SearchPage> Continue(Caller caller, string cursor, int limit, SearchAttempt? attempt = null);
}

/// <summary>The remaining ranked results of one search, kept in memory for cursor paging.</summary>
[Alias("Ipto.ISearchSessionGrain")]
public interface ISearchSessionGrain : IGrainWithStringKey
{
    [Alias("Start")]
    Task Start(SearchSession session);

    /// <summary>
    /// Hands out the remaining results once (a second claim gets null, so a cursor cannot be served twice); null too
    /// when the session is unknown, expired, or not the caller's.
    /// </summary>
    [Alias("Claim")]
    Task<SearchSessionSlice?> Claim(Caller caller);
}

[GenerateSerializer, Alias("Ipto.RankedHit")]
public sealed record RankedHit(
    [property: Id(0)] IndexMatch Match,
    [property: Id(1)] double Score);

[GenerateSerializer, Alias("Ipto.SearchSession")]
public sealed record SearchSession(
    [property: Id(0)] string TenantId,
    [property: Id(1)] string PrincipalId,
    [property: Id(2)] SearchRequest Request,
    [property: Id(3)] string ModeUsed,
    [property: Id(4)] IReadOnlyList<RankedHit> Remaining,
    [property: Id(5)] int RanksServed = 0);

[GenerateSerializer, Alias("Ipto.SearchSessionSlice")]
public sealed record SearchSessionSlice(
    [property: Id(0)] SearchRequest Request,
    [property: Id(1)] string ModeUsed,
    [property: Id(2)] IReadOnlyList<RankedHit> Hits,
    [property: Id(3)] int RanksServed = 0);

[GenerateSerializer, Alias("Ipto.SpendReservation")]
public sealed record SpendReservation(
    [property: Id(0)] int Admitted,
    [property: Id(1)] long ReservedMicros,
    [property: Id(2)] long RemainingMicros,
    [property: Id(3)] string Period);

/// <summary>
/// An API key's spend in its current period (day or month, UTC), in memory: rebuilt from the ledger on activation and
/// at each period change, updated by reservations. Single-threaded, so concurrent searches never overspend.
/// </summary>
[Alias("Ipto.ISpendCounterGrain")]
/// <summary>The events a key's spend counter records in the outbox (SPEC §11).</summary>
public static class SpendEventTypes
{
    public const string ThresholdReached = "spend.threshold_reached";
}

public interface ISpendCounterGrain : IGrainWithStringKey
{
    /// <summary>
    /// Admits prices in order while they fit what <paramref name="limit"/> leaves for its current period, and reserves
    /// their sum. The limit comes from the key as authenticated for this request, so a PATCH applies at once.
    /// </summary>
    [Alias("Reserve")]
    /// <remarks>Crossing 80% or 100% of the limit records <c>spend.threshold_reached</c> for <paramref name="tenantId"/> (the key's tenant).</remarks>
    Task<SpendReservation> Reserve(string tenantId, Ipto.ApiKeys.SpendLimit limit, IReadOnlyList<long> pricesMicros);

    /// <summary>Gives back a reservation whose ledger write failed.</summary>
    [Alias("Release")]
    Task Release(string period, long micros);
}
