namespace Ipto.Grains.Metering;

/// <summary>A row the ledger writer appends: one search activity or one billable access event.</summary>
public abstract record LedgerRow(string Id);

public sealed record SearchActivityRow(
    string SearchActivityId, string TenantId, string? ApiKeyId, string PrincipalId, string QueryText, IReadOnlyList<string> DatasetIds,
    int ResultCount, long ChargedMicros, DateTimeOffset OccurredAt) : LedgerRow(SearchActivityId);

/// <summary>The page an idempotent search served, kept until <paramref name="ExpiresAt"/> for a retry to answer with.</summary>
public sealed record SearchReplayRow(string SearchActivityId, byte[] Page, DateTimeOffset ExpiresAt) : LedgerRow(SearchActivityId);

/// <summary>
/// One billable event (<see cref="Ipto.Metering.AccessTypes"/>): the buyer tenant and principal (its API key, or null for
/// a session), the provider tenant, dataset and object, the amount and the commit time; a retrieval also its rank,
/// chunk index, locator and whether it is its dataset's (its provider's) first in the search, a citation its retrieval event and context, an outcome share its outcome.
/// </summary>
public sealed record AccessEventRow(
    string AccessId, string Type, string TenantId, string ProviderTenantId, string DatasetId, string? ObjectId, string? ApiKeyId,
    string? SearchActivityId, long ChargedMicros, DateTimeOffset OccurredAt) : LedgerRow(AccessId)
{
    public string? PrincipalId { get; init; }
    public string? RetrievalEventId { get; init; }
    public string? OutcomeId { get; init; }
    public int? Rank { get; init; }
    public int? ChunkIndex { get; init; }

    /// <summary>A retrieval's place among its search's results: the first of its dataset, the first of its provider (analytics count searches by them).</summary>
    public bool? FirstOfDataset { get; init; }

    public bool? FirstOfProvider { get; init; }
    public Ipto.Search.CitationLocator? Locator { get; init; }
    public string? Context { get; init; }
}

/// <summary>An outcome report as its response shows it (the shares that charge nothing have no access event).</summary>
public sealed record OutcomeRow(string OutcomeId, string TenantId, string Document, DateTimeOffset CreatedAt) : LedgerRow(OutcomeId);
