using Ipto.Search;

namespace Ipto.Billing;

/// <summary>A citation of a retrieval event (SPEC §13), charged once at the dataset's <c>price_per_citation</c>.</summary>
[GenerateSerializer, Alias("Ipto.Citation")]
public sealed record Citation(
    [property: Id(0)] string CitationId,
    [property: Id(1)] string RetrievalEventId,
    [property: Id(2)] string DatasetId,
    [property: Id(3)] string ObjectId,
    [property: Id(4)] CitationLocator? Locator,
    [property: Id(5)] long ChargedMicros,
    [property: Id(6)] string? Context,
    [property: Id(7)] DateTimeOffset CreatedAt);

/// <summary>The answer to a citation request: the citation, and whether this request made it (201) or found it (200).</summary>
[GenerateSerializer, Alias("Ipto.CitationResult")]
public sealed record CitationResult([property: Id(0)] Citation Citation, [property: Id(1)] bool Created);

/// <summary>What a buyer reports: revenue it made with the listed retrieval events.</summary>
[GenerateSerializer, Alias("Ipto.OutcomeReport")]
public sealed record OutcomeReport(
    [property: Id(0)] IReadOnlyList<string> RetrievalEventIds,
    [property: Id(1)] long RevenueMicros,
    [property: Id(2)] string Currency,
    [property: Id(3)] string? Description)
{
    public const int MaxEvents = 100;
    public const long MaxRevenueMicros = 1_000_000_000L * Ipto.Common.Money.MicrosPerUnit;
    public const int MaxDescriptionLength = 2000;
}

/// <summary>One dataset's share of an outcome: an even split of the revenue, and what its provider earns of it.</summary>
[GenerateSerializer, Alias("Ipto.OutcomeShare")]
public sealed record OutcomeShare([property: Id(0)] string DatasetId, [property: Id(1)] long ShareMicros, [property: Id(2)] long ChargedMicros);

[GenerateSerializer, Alias("Ipto.Outcome")]
public sealed record Outcome(
    [property: Id(0)] string OutcomeId,
    [property: Id(1)] IReadOnlyList<string> RetrievalEventIds,
    [property: Id(2)] long RevenueMicros,
    [property: Id(3)] string Currency,
    [property: Id(4)] long ChargedMicros,
    [property: Id(5)] IReadOnlyList<OutcomeShare> Shares,
    [property: Id(6)] string? Description,
    [property: Id(7)] DateTimeOffset CreatedAt);

/// <summary>A buyer's download charge: the access event of the principal's rolling 24 h window, and what this call charged.</summary>
[GenerateSerializer, Alias("Ipto.DownloadCharge")]
public sealed record DownloadCharge([property: Id(0)] string AccessId, [property: Id(1)] long ChargedMicros);

/// <summary>What is downloaded, for whom, at what price (the object grain's facts for the charge).</summary>
[GenerateSerializer, Alias("Ipto.DownloadTerms")]
public sealed record DownloadTerms(
    [property: Id(0)] string ProviderTenantId,
    [property: Id(1)] string DatasetId,
    [property: Id(2)] string ObjectId,
    [property: Id(3)] long PriceMicros);
