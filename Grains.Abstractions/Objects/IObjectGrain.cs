using Ipto.Common;

namespace Ipto.Objects;

[GenerateSerializer, Alias("Ipto.NewObject")]
public sealed record NewObject(
    [property: Id(0)] string TenantId,
    [property: Id(1)] string DatasetId,
    [property: Id(2)] string UploadId,
    [property: Id(3)] string Filename,
    [property: Id(4)] string ContentType,
    [property: Id(5)] long SizeBytes,
    [property: Id(6)] string? DeclaredChecksumSha256,
    [property: Id(7)] string BlobKey);

/// <summary>A presigned download URL and when it stops working; a buyer's also its access event and what this call charged.</summary>
[GenerateSerializer, Alias("Ipto.ObjectDownload")]
public sealed record ObjectDownload(
    [property: Id(0)] string Url,
    [property: Id(1)] DateTimeOffset ExpiresAt,
    [property: Id(2)] string? AccessId = null,
    [property: Id(3)] long? ChargedMicros = null);

/// <summary>An object: its state machine from upload to review, and the pipeline step it is in.</summary>
[Alias("Ipto.IObjectGrain")]
public interface IObjectGrain : IGrainWithStringKey
{
    [Alias("Create")]
    Task<ObjectSnapshot> Create(NewObject obj);

    /// <summary>The owner's view; another tenant's object is not_found.</summary>
    [Alias("Get")]
    Task<ObjectSnapshot> Get(Caller caller);

    /// <summary>
    /// A presigned GET. The owner's (<c>datasets:read</c>) is free, for an object whose bytes are kept (processing to
    /// active). A buyer's (<c>search:query</c>) is for an active object of a dataset it may search, charged the
    /// dataset's download price once per principal in a rolling 24 h; anything else is not_found.
    /// </summary>
    [Alias("Download"), Orleans.Concurrency.ReadOnly] // reads state only; downloads of one object interleave while they await their charge
    Task<ObjectDownload> Download(Caller caller);

    [Alias("GetInternal")]
    Task<ObjectSnapshot?> GetInternal();

    /// <summary>The upload that created the owner's object (for the confirm and abort aliases).</summary>
    [Alias("GetUploadId")]
    Task<string> GetUploadId(Caller caller);

    /// <summary>The blob is complete: processing, staged for review, normalization started. Returns the normalization job id.</summary>
    [Alias("MarkUploaded")]
    Task<(ObjectSnapshot Object, string JobId)> MarkUploaded();

    /// <summary>The upload was aborted before completion.</summary>
    [Alias("Cancel")]
    Task<ObjectSnapshot> Cancel();

    /// <summary>The object cannot be used (size or checksum mismatch, malformed file); the reason is kept.</summary>
    [Alias("Fail")]
    Task<ObjectSnapshot> Fail(string reason);

    /// <summary>Platform admin: approve a <c>ready</c>, staged object; ingestion (chunks → index → active) runs as a job of the object's tenant.</summary>
    [Alias("Approve")]
    Task<(ObjectSnapshot Object, string JobId)> Approve(Caller admin);

    /// <summary>Platform admin: reject a staged object (ready, still processing, or failed); its blob and derived files are purged.</summary>
    [Alias("Reject")]
    Task<ObjectSnapshot> Reject(Caller admin, string reason);

    /// <summary>The review window passed: a still-staged object becomes <c>expired</c> and its blob is purged; otherwise nothing happens.</summary>
    [Alias("Expire")]
    Task<ObjectSnapshot> Expire();

    /// <summary>Owner: the object becomes a <c>deleted</c> tombstone; its blob and derived files are purged by a job.</summary>
    [Alias("Delete")]
    Task<ObjectSnapshot> Delete(Caller caller);

    /// <summary>Its dataset is being deleted: the object becomes a tombstone (the dataset's purge removes the bytes).</summary>
    [Alias("Tombstone")]
    Task<ObjectSnapshot> Tombstone();

    /// <summary>The object's chunks are indexed: it is searchable (lexically; <see cref="IndexStages.Lexical"/>).</summary>
    [Alias("MarkActive")]
    Task<ObjectSnapshot> MarkActive();

    /// <summary>
    /// The object's embeddings exist: its shard indexes it again with them, unless the object was deleted meanwhile
    /// (this grain's turn keeps a deletion from crossing the re-index), and the stage becomes <see cref="IndexStages.Complete"/>.
    /// </summary>
    [Alias("CompleteIndexing")]
    Task<ObjectSnapshot> CompleteIndexing();

    /// <summary>Normalization finished: checksum and extraction stats recorded, object <c>ready</c> for review.</summary>
    [Alias("RecordExtraction")]
    Task<ObjectSnapshot> RecordExtraction(string checksumSha256, Extraction extraction);
}
