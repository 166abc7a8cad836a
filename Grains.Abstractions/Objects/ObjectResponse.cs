namespace Ipto.Objects;

public sealed record ExtractionResponse(long TextChars, int? Pages, int Chunks, string? Language, string? Error, IReadOnlyDictionary<string, string>? Metadata);

/// <summary>An object as <c>GET /v1/objects/{id}</c> shows it (and as its webhook events carry it).</summary>
public sealed record ObjectResponse(
    string ObjectId, string DatasetId, string TenantId, string Filename, string ContentType, long SizeBytes, string? ChecksumSha256,
    string Status, string? ReviewState, DateTimeOffset? ReviewExpiresAt, DateTimeOffset? ReviewedAt, string? ReviewReason,
    ExtractionResponse? Extraction, DateTimeOffset? IndexedAt, string? IndexStage, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, DateTimeOffset? DeletedAt)
{
    public static ObjectResponse From(ObjectSnapshot o) => new(o.ObjectId, o.DatasetId, o.TenantId, o.Filename, o.ContentType, o.SizeBytes,
        o.ChecksumSha256, o.Status, o.ReviewState, o.ReviewExpiresAt, o.ReviewedAt, o.ReviewReason,
        o.Extraction is { } e ? new ExtractionResponse(e.TextChars, e.Pages, e.Chunks, e.Language, e.Error, e.Metadata) : null,
        o.IndexedAt, o.IndexStage, o.CreatedAt, o.UpdatedAt, o.DeletedAt);
}
