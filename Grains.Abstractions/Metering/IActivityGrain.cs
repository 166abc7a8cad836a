using Ipto.Common;

namespace Ipto.Metering;

/// <summary>Filters of a tenant's search activity: one key's searches, and a half-open time range [From, To); null: any.</summary>
[GenerateSerializer, Alias("Ipto.SearchActivityFilter")]
public sealed record SearchActivityFilter(
    [property: Id(0)] string? ApiKeyId = null,
    [property: Id(1)] DateTimeOffset? From = null,
    [property: Id(2)] DateTimeOffset? To = null);

/// <summary>One search as the ledger recorded it.</summary>
[GenerateSerializer, Alias("Ipto.SearchActivity")]
public sealed record SearchActivity(
    [property: Id(0)] string SearchActivityId,
    [property: Id(1)] string QueryText,
    [property: Id(2)] string? ApiKeyId,
    [property: Id(3)] IReadOnlyList<string> DatasetIds,
    [property: Id(4)] int ResultCount,
    [property: Id(5)] long ChargedMicros,
    [property: Id(6)] DateTimeOffset OccurredAt);

/// <summary>A buyer tenant's activity and spend read from the ledger (SPEC §8, §13). Stateless: any silo answers (use key 0).</summary>
[Alias("Ipto.IActivityGrain")]
public interface IActivityGrain : IGrainWithIntegerKey
{
    /// <summary>The caller's tenant's searches, newest first, with the total for the filter.</summary>
    [Alias("Searches")]
    Task<Page<SearchActivity>> Searches(Caller caller, SearchActivityFilter filter, PageRequest page);

    /// <summary>The caller's tenant's billable events as a buyer, newest first, with the total for the filter.</summary>
    [Alias("Accesses")]
    Task<Page<AccessActivity>> Accesses(Caller caller, AccessActivityFilter filter, PageRequest page);

    /// <summary>The caller's tenant's spend as a buyer, grouped; the total equals the sum of its billable events for the range.</summary>
    [Alias("Spend")]
    Task<SpendReport> Spend(Caller caller, SpendFilter filter);

    /// <summary>The caller's tenant's API keys, and its searches and spend in the current UTC calendar month.</summary>
    [Alias("Dashboard")]
    Task<BuyerDashboard> Dashboard(Caller caller);
}
