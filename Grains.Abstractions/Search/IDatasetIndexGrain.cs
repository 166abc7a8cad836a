using Ipto.Objects;

namespace Ipto.Search;

/// <summary>Where a chunk sits in its object's extracted text.</summary>
[GenerateSerializer, Alias("Ipto.CitationLocator")]
public sealed record CitationLocator(
    [property: Id(0)] int? Page,
    [property: Id(1)] long? Row,
    [property: Id(2)] long CharStart,
    [property: Id(3)] long CharEnd,
    [property: Id(4)] int ChunkIndex);

/// <summary>One chunk that matched a query in one dataset's index.</summary>
[GenerateSerializer, Alias("Ipto.IndexHit")]
public sealed record IndexHit(
    [property: Id(0)] string DatasetId,
    [property: Id(1)] string ObjectId,
    [property: Id(2)] float Score,
    [property: Id(3)] string Text,
    [property: Id(4)] string Filename,
    [property: Id(5)] string ContentType,
    [property: Id(6)] CitationLocator Locator,
    [property: Id(7)] DateTimeOffset UploadedAt,
    [property: Id(8)] DateTimeOffset? ApprovedAt);

/// <summary>
/// A ranked chunk as a search returns it: identity, score and what ranking, dedup and pricing need, read from doc
/// values; the stored text and fields come later with <see cref="IDatasetIndexGrain.Fetch"/> for the results served.
/// </summary>
[GenerateSerializer, Alias("Ipto.IndexMatch")]
public sealed record IndexMatch(
    [property: Id(0)] string DatasetId,
    [property: Id(1)] string ObjectId,
    [property: Id(2)] int ChunkIndex,
    [property: Id(3)] float Score,
    [property: Id(4)] long TextHash,
    [property: Id(5)] DateTimeOffset? ApprovedAt);

[GenerateSerializer, Alias("Ipto.ChunkRef")]
public sealed record ChunkRef([property: Id(0)] string ObjectId, [property: Id(1)] int ChunkIndex);

/// <summary>Restrictions applied inside an index (dataset-level filters are the coordinator's).</summary>
[GenerateSerializer, Alias("Ipto.IndexFilter")]
public sealed record IndexFilter(
    [property: Id(0)] IReadOnlyList<string>? ContentTypes,
    [property: Id(1)] IReadOnlyList<string>? ObjectIds,
    [property: Id(2)] DateTimeOffset? UploadedAfter,
    [property: Id(3)] DateTimeOffset? UploadedBefore)
{
    public bool IsEmpty => (ContentTypes is null || ContentTypes.Count == 0) && (ObjectIds is null || ObjectIds.Count == 0)
                           && UploadedAfter is null && UploadedBefore is null;
}

/// <summary>
/// One index query: a lexical query (SPEC §7 syntax), a query embedding, or both; each yields its own ranked list.
/// </summary>
[GenerateSerializer, Alias("Ipto.IndexQuery")]
public sealed record IndexQuery(
    [property: Id(0)] string? Lexical,
    [property: Id(1)] float[]? Vector,
    [property: Id(2)] IndexFilter? Filter,
    [property: Id(3)] int Top);

[GenerateSerializer, Alias("Ipto.IndexResult")]
public sealed record IndexResult(
    [property: Id(0)] IReadOnlyList<IndexMatch> Lexical,
    [property: Id(1)] IReadOnlyList<IndexMatch> Dense);

/// <summary>
/// The search index of one dataset (Lucene BM25 plus chunk embeddings), fed with an object's chunk and vector files
/// when the object is approved and emptied of it when the object is deleted. Internal: callers check access first.
/// </summary>
[Alias("Ipto.IDatasetIndexGrain")]
public interface IDatasetIndexGrain : IGrainWithStringKey
{
    [Alias("IndexObject")]
    Task<int> IndexObject(ObjectSnapshot obj);

    [Alias("RemoveObject")]
    Task RemoveObject(string objectId);

    /// <summary>Removes every entry (the dataset is being deleted).</summary>
    [Alias("Drop")]
    Task Drop();

    /// <summary>A syntax error is 400 <c>invalid_query</c> naming the position.</summary>
    [Alias("Search")]
    Task<IndexResult> Search(IndexQuery query);

    /// <summary>The stored chunks for results being served; chunks no longer in the index (deleted since) are left out.</summary>
    [Alias("Fetch")]
    Task<IReadOnlyList<IndexHit>> Fetch(IReadOnlyList<ChunkRef> chunks);

    /// <summary>How many chunks the index holds (operators and tests).</summary>
    [Alias("Count")]
    Task<int> Count();
}
