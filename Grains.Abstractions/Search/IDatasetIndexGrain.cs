using Ipto.Objects;

namespace Ipto.Search;

/// <summary>One chunk that matched a query in one dataset's index.</summary>
[GenerateSerializer, Alias("Ipto.IndexHit")]
public sealed record IndexHit(
    [property: Id(0)] string DatasetId,
    [property: Id(1)] string ObjectId,
    [property: Id(2)] int ChunkIndex,
    [property: Id(3)] float Score,
    [property: Id(4)] string Text,
    [property: Id(5)] string Filename,
    [property: Id(6)] string ContentType);

/// <summary>
/// The search index of one dataset (Lucene, BM25), fed with an object's chunk file when the object is approved and
/// emptied of it when the object is deleted. Internal: callers check access before they ask.
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

    /// <summary>Lexical search with the query syntax of SPEC §7; a syntax error is 400 <c>invalid_query</c>.</summary>
    [Alias("SearchLexical")]
    Task<IReadOnlyList<IndexHit>> SearchLexical(string query, int top);
}
