namespace Ipto.Grains.Metering;

/// <summary>A row the ledger writer appends: one search activity or one billable access event.</summary>
public abstract record LedgerRow(string Id);

public sealed record SearchActivityRow(
    string SearchActivityId, string TenantId, string? ApiKeyId, string PrincipalId, string QueryText, IReadOnlyList<string> DatasetIds,
    int ResultCount, long ChargedMicros, DateTimeOffset OccurredAt) : LedgerRow(SearchActivityId);

/// <summary>The page an idempotent search served, kept until <paramref name="ExpiresAt"/> for a retry to answer with.</summary>
public sealed record SearchReplayRow(string SearchActivityId, byte[] Page, DateTimeOffset ExpiresAt) : LedgerRow(SearchActivityId);

public sealed record AccessEventRow(
    string AccessId, string Type, string TenantId, string ProviderTenantId, string DatasetId, string? ObjectId, string? ApiKeyId,
    string? SearchActivityId, long ChargedMicros, DateTimeOffset OccurredAt) : LedgerRow(AccessId);
