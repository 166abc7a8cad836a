using Ipto.Common;

namespace Ipto.Metering;

/// <summary>
/// Filters of a tenant's billable events (SPEC §8, §13 "Access history"), combined with AND: one key's events, one
/// dataset's, one type's (<see cref="AccessTypes"/>), and a half-open time range [From, To); null: any.
/// </summary>
[GenerateSerializer, Alias("Ipto.AccessActivityFilter")]
public sealed record AccessActivityFilter(
    [property: Id(0)] string? ApiKeyId = null,
    [property: Id(1)] string? DatasetId = null,
    [property: Id(2)] string? Type = null,
    [property: Id(3)] DateTimeOffset? From = null,
    [property: Id(4)] DateTimeOffset? To = null);

/// <summary>
/// One billable event of the buyer as the ledger recorded it, with its dataset's current name. Fields that do not apply
/// to its type are null: a session's use has no API key, an outcome share no object, only a retrieval a rank and chunk
/// index, only a citation a retrieval event, only an outcome share an outcome.
/// </summary>
[GenerateSerializer, Alias("Ipto.AccessActivity")]
public sealed record AccessActivity(
    [property: Id(0)] string AccessId,
    [property: Id(1)] string Type,
    [property: Id(2)] string DatasetId,
    [property: Id(3)] string DatasetName,
    [property: Id(4)] string? ObjectId,
    [property: Id(5)] string? ApiKeyId,
    [property: Id(6)] string? SearchActivityId,
    [property: Id(7)] string? RetrievalEventId,
    [property: Id(8)] string? OutcomeId,
    [property: Id(9)] int? Rank,
    [property: Id(10)] int? ChunkIndex,
    [property: Id(11)] long ChargedMicros,
    [property: Id(12)] DateTimeOffset OccurredAt);

/// <summary>How spend is grouped (SPEC §13 "Spend"), and the key and label of a session's use.</summary>
public static class SpendGroupings
{
    public const string Day = "day";
    public const string Dataset = "dataset";
    public const string ApiKey = "api_key";

    public static readonly IReadOnlyList<string> All = [Day, Dataset, ApiKey];

    /// <summary>The <c>api_key</c> group of events made with a user session (no API key).</summary>
    public const string SessionKey = "session";

    public const string SessionLabel = "Session";

    /// <summary>A range without <c>from</c> starts this long before its end (default end: now).</summary>
    public static readonly TimeSpan DefaultRange = TimeSpan.FromDays(30);
}

/// <summary>What spend to report: grouped by <see cref="SpendGroupings"/> (null: by day) over [From, To) (null: the default range).</summary>
[GenerateSerializer, Alias("Ipto.SpendFilter")]
public sealed record SpendFilter(
    [property: Id(0)] string? GroupBy = null,
    [property: Id(1)] DateTimeOffset? From = null,
    [property: Id(2)] DateTimeOffset? To = null);

/// <summary>How many billable events of each type a spend group holds.</summary>
[GenerateSerializer, Alias("Ipto.SpendEventCounts")]
public sealed record SpendEventCounts(
    [property: Id(0)] long Retrieval,
    [property: Id(1)] long Citation,
    [property: Id(2)] long Download,
    [property: Id(3)] long Outcome);

/// <summary>One group of a spend report: its key, its label, what its events charged and how many of each type there were.</summary>
[GenerateSerializer, Alias("Ipto.SpendGroup")]
public sealed record SpendGroup(
    [property: Id(0)] string Key,
    [property: Id(1)] string Label,
    [property: Id(2)] long AmountMicros,
    [property: Id(3)] SpendEventCounts Events);

/// <summary>A buyer's spend over [From, To): the groups in report order and their exact total.</summary>
[GenerateSerializer, Alias("Ipto.SpendReport")]
public sealed record SpendReport(
    [property: Id(0)] string GroupBy,
    [property: Id(1)] DateTimeOffset From,
    [property: Id(2)] DateTimeOffset To,
    [property: Id(3)] long TotalMicros,
    [property: Id(4)] IReadOnlyList<SpendGroup> Groups);

/// <summary>A buyer tenant's overview: its API keys, and its searches and spend in the current UTC calendar month.</summary>
[GenerateSerializer, Alias("Ipto.BuyerDashboard")]
public sealed record BuyerDashboard(
    [property: Id(0)] long ApiKeyCount,
    [property: Id(1)] long ActiveApiKeyCount,
    [property: Id(2)] long SearchesThisMonth,
    [property: Id(3)] long SpendThisMonthMicros);
