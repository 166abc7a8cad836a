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

/// <summary>One stored chunk of a dataset, as a shard returns it for a result being served.</summary>
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
/// values; the stored text and fields come later with <see cref="IIndexShardGrain.Fetch"/> for the results served.
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

/// <summary>Restrictions on objects applied inside a shard (which datasets is the <see cref="DatasetScope"/>).</summary>
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
/// Whose datasets a shard query may match: the caller's tenant (its own datasets, listed ones, restricted ones granted to
/// it), narrowed to <see cref="DatasetIds"/> when given (an API key's allow-list, the request's <c>dataset_ids</c>),
/// without the tenant's own when <see cref="IncludeOwn"/> is false, and to <see cref="SourceModalities"/> when given.
/// Each shard evaluates it against its silo's searchable-dataset view at <see cref="ViewVersion"/> or newer, so a
/// query never carries the platform's dataset list.
/// </summary>
[GenerateSerializer, Alias("Ipto.DatasetScope")]
public sealed record DatasetScope(
    [property: Id(0)] string TenantId,
    [property: Id(1)] IReadOnlyList<string>? DatasetIds,
    [property: Id(2)] bool IncludeOwn,
    [property: Id(3)] IReadOnlyList<string>? SourceModalities,
    [property: Id(4)] long ViewVersion);

/// <summary>
/// BM25 statistics summed over every shard (document counts and field lengths per field, document and term frequencies
/// per term), so a chunk scores the same whichever shard holds it. Terms are keyed by <see cref="TermKey"/>.
/// </summary>
[GenerateSerializer, Alias("Ipto.CorpusStatistics")]
public sealed record CorpusStatistics(
    [property: Id(0)] IReadOnlyDictionary<string, FieldStatistics> Fields,
    [property: Id(1)] IReadOnlyDictionary<string, TermFrequencies> Terms)
{
    public static readonly CorpusStatistics Empty = new(new Dictionary<string, FieldStatistics>(), new Dictionary<string, TermFrequencies>());

    public static string TermKey(string field, ReadOnlySpan<byte> term) => field + "\u0000" + Convert.ToBase64String(term);

    /// <summary>The sum of the shards' statistics (checked: a count that overflows is a bug, not a score).</summary>
    public static CorpusStatistics Sum(IEnumerable<CorpusStatistics> parts)
    {
        var fields = new Dictionary<string, FieldStatistics>(StringComparer.Ordinal);
        var terms = new Dictionary<string, TermFrequencies>(StringComparer.Ordinal);
        foreach (var part in parts)
        {
            foreach (var (name, field) in part.Fields)
                fields[name] = fields.TryGetValue(name, out var sum) ? sum.Plus(field) : field;
            foreach (var (key, term) in part.Terms)
                terms[key] = terms.TryGetValue(key, out var sum) ? sum.Plus(term) : term;
        }

        return new CorpusStatistics(fields, terms);
    }
}

[GenerateSerializer, Alias("Ipto.FieldStatistics")]
public sealed record FieldStatistics(
    [property: Id(0)] long MaxDoc,
    [property: Id(1)] long DocCount,
    [property: Id(2)] long SumTotalTermFreq,
    [property: Id(3)] long SumDocFreq)
{
    // Lucene reports -1 for a statistic a field does not record; a sum keeps "unknown" unknown.
    private static long Add(long a, long b) => a < 0 || b < 0 ? -1 : checked(a + b);

    public FieldStatistics Plus(FieldStatistics other) => new(checked(MaxDoc + other.MaxDoc), Add(DocCount, other.DocCount),
        Add(SumTotalTermFreq, other.SumTotalTermFreq), Add(SumDocFreq, other.SumDocFreq));
}

[GenerateSerializer, Alias("Ipto.TermFrequencies")]
public sealed record TermFrequencies([property: Id(0)] long DocFreq, [property: Id(1)] long TotalTermFreq)
{
    public TermFrequencies Plus(TermFrequencies other) =>
        new(checked(DocFreq + other.DocFreq), TotalTermFreq < 0 || other.TotalTermFreq < 0 ? -1 : checked(TotalTermFreq + other.TotalTermFreq));
}

/// <summary>One query to one shard: what to match, whose datasets, and (lexical) the corpus-wide statistics to score with.</summary>
[GenerateSerializer, Alias("Ipto.ShardQuery")]
public sealed record ShardQuery(
    [property: Id(0)] IndexQuery Query,
    [property: Id(1)] DatasetScope Scope,
    [property: Id(2)] CorpusStatistics? Statistics);

/// <summary>Which shard holds an object's chunks: a stable hash of dataset and object id (the same on every node and run).</summary>
public static class IndexShards
{
    public static int Of(string datasetId, string objectId, int shardCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(shardCount, 1);
        // FNV-1a over the UTF-16 code units: string.GetHashCode is randomised per process.
        var hash = 2166136261u;
        foreach (var c in datasetId) hash = (hash ^ c) * 16777619u;
        hash = (hash ^ '/') * 16777619u;
        foreach (var c in objectId) hash = (hash ^ c) * 16777619u;
        return (int)(hash % (uint)shardCount);
    }
}

/// <summary>
/// One of the platform's fixed number of search shards (<c>Ipto:Search:Shards</c>): a Lucene index (BM25) plus chunk
/// embeddings for the chunks of many datasets, each document carrying its dataset and tenant. Objects are placed by
/// <see cref="IndexShards.Of"/>. Internal: callers check access first; <see cref="Search"/> applies the scope.
/// </summary>
[Alias("Ipto.IIndexShardGrain")]
public interface IIndexShardGrain : IGrainWithIntegerKey
{
    /// <summary>Indexes an approved object's chunk and vector files (idempotent: an earlier run's documents are replaced).</summary>
    [Alias("IndexObject")]
    Task<int> IndexObject(ObjectSnapshot obj);

    [Alias("RemoveObject")]
    Task RemoveObject(string objectId);

    /// <summary>Removes every document of the dataset (it is being deleted).</summary>
    [Alias("DropDataset")]
    Task DropDataset(string datasetId);

    /// <summary>This shard's BM25 statistics for a lexical query (the first phase of a search). A syntax error is 400 <c>invalid_query</c>.</summary>
    [Alias("Statistics")]
    Task<CorpusStatistics> Statistics(string lexical);

    /// <summary>A syntax error is 400 <c>invalid_query</c> naming the position.</summary>
    [Alias("Search")]
    Task<IndexResult> Search(ShardQuery query);

    /// <summary>The stored chunks for results being served; chunks no longer in the index (deleted since) are left out.</summary>
    [Alias("Fetch")]
    Task<IReadOnlyList<IndexHit>> Fetch(IReadOnlyList<ChunkRef> chunks);

    /// <summary>
    /// Uploads a snapshot of the shard's last commit now unless the latest one is current (snapshots are otherwise
    /// taken every <c>Ipto:Search:SnapshotPeriod</c>); returns the generation the newest snapshot holds (operators, tests).
    /// </summary>
    [Alias("Snapshot")]
    Task<long> Snapshot();

    /// <summary>How many chunks the shard holds, of one dataset or of all (operators and tests).</summary>
    [Alias("Count")]
    Task<int> Count(string? datasetId);
}
