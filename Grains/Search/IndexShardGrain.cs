using System.Globalization;
using Ipto.Grains.Hosting;
using Ipto.Grains.ObjectStore;
using Ipto.Objects;
using Ipto.Search;
using Lucene.Net.Analysis;
using Lucene.Net.Documents;
using Lucene.Net.Index;
using Lucene.Net.Search;
using Lucene.Net.Search.Similarities;
using Lucene.Net.Store;
using Lucene.Net.Util;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Ipto.Grains.Search;

/// <summary>
/// One search shard on the silo's local disk: Lucene (BM25 on writer and searcher; keyword fields for ids and content
/// types; content stored with offsets) plus each chunk's embedding as binary doc values, for the objects that
/// <see cref="IndexShards.Of"/> places here, whatever their dataset. <see cref="IndexShardStore"/> is the durable list
/// of those objects and the generation each change stamps into the Lucene commit: when the local index's commit does
/// not carry it (a new silo, a lost or stale disk), activation rebuilds the shard from the objects' chunk and vector
/// files in the object store, so a shard follows its grain anywhere.
/// </summary>
public sealed class IndexShardGrain(
    IndexShardStore shards,
    SearchableDatasets searchable,
    IObjectStore store,
    ITextEmbedder embedder,
    IOptions<IptoOptions> options,
    ILogger<IndexShardGrain> logger) : Grain, IIndexShardGrain
{
    private const string GenerationKey = "generation";
    private const string FormatKey = "format";

    /// <summary>The document layout; an index written with another one is rebuilt on activation.</summary>
    private const string Format = "3";
    private static readonly FieldType ContentFieldType = CreateContentType();
    private static readonly TimeSpan TimeBudget = TimeSpan.FromSeconds(2);

    private FSDirectory? _directory;
    private Analyzer? _analyzer;
    private IndexWriter? _writer;
    private SearcherManager? _searchers;
    private SegmentVectors? _vectors;
    private long _generation;

    private int Shard => (int)this.GetPrimaryKeyLong();
    private int ShardCount => options.Value.Search.Shards;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var path = Path.Combine(options.Value.FullDataDir, "index", "shards", Shard.ToString(CultureInfo.InvariantCulture));
        System.IO.Directory.CreateDirectory(path);
        _directory = FSDirectory.Open(path);
        _analyzer = LexicalQuery.CreateAnalyzer();
        _writer = new IndexWriter(_directory, new IndexWriterConfig(LexicalQuery.Version, _analyzer) { Similarity = new BM25Similarity() });
        _vectors = new SegmentVectors(embedder.Dimensions);

        var count = ShardCount;
        if (Shard < 0 || Shard >= count) throw new InvalidOperationException($"There is no search shard {Shard}: Ipto:Search:Shards is {count}.");
        if (await shards.GenerationAsync(Shard) is { } recorded)
        {
            if (recorded.ShardCount != count)
                throw new InvalidOperationException($"Search shard {Shard} was placed for {recorded.ShardCount} shards but Ipto:Search:Shards is {count}; " +
                                                    "the shard count of a deployment cannot change without re-indexing.");
            _generation = recorded.Generation;
        }
        else
        {
            _generation = await shards.AdoptAsync(Shard, count);
        }

        var local = _writer.CommitData.TryGetValue(GenerationKey, out var stamp) ? stamp : null;
        var format = _writer.CommitData.TryGetValue(FormatKey, out var written) ? written : null;
        if (local != _generation.ToString(CultureInfo.InvariantCulture) || format != Format)
        {
            var objects = await shards.ObjectsAsync(Shard);
            logger.LogInformation("Rebuilding search shard {Shard} from {Count} objects (local generation {Local}, expected {Expected})",
                Shard, objects.Count, local ?? "none", _generation);
            _writer.DeleteAll();
            foreach (var obj in objects) await AddDocumentsAsync(obj, cancellationToken);
            Commit();
        }

        _searchers = new SearcherManager(_writer, true, null);
        RefreshVectors();
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _searchers?.Dispose();
        _vectors?.Dispose();
        _writer?.Dispose();
        _analyzer?.Dispose();
        _directory?.Dispose();
        return Task.CompletedTask;
    }

    public async Task<int> IndexObject(ObjectSnapshot obj)
    {
        var entry = ShardObject.Of(obj);
        // Replace what an earlier run indexed for the object: indexing is idempotent.
        _writer!.DeleteDocuments(new Term("object_id", obj.ObjectId));
        var count = await AddDocumentsAsync(entry, CancellationToken.None);
        await CommitAndRecordAsync(generation => shards.SaveObjectAsync(Shard, ShardCount, entry, generation));
        return count;
    }

    public Task RemoveObject(string objectId)
    {
        _writer!.DeleteDocuments(new Term("object_id", objectId));
        return CommitAndRecordAsync(generation => shards.RemoveObjectAsync(Shard, ShardCount, objectId, generation));
    }

    public Task DropDataset(string datasetId)
    {
        _writer!.DeleteDocuments(new Term(DatasetScopeFilter.Field, datasetId));
        return CommitAndRecordAsync(generation => shards.RemoveDatasetAsync(Shard, ShardCount, datasetId, generation));
    }

    public Task<IReadOnlyList<IndexHit>> Fetch(IReadOnlyList<ChunkRef> chunks)
    {
        Acquire(out var searcher);
        try
        {
            var hits = new List<IndexHit>(chunks.Count);
            foreach (var chunk in chunks)
            {
                var found = searcher.Search(new TermQuery(new Term("chunk_key", ResultFusion.ChunkKey(chunk.ObjectId, chunk.ChunkIndex))), 1).ScoreDocs;
                if (found.Length == 1) hits.Add(ToHit(searcher, found[0].Doc, found[0].Score));
            }

            return Task.FromResult<IReadOnlyList<IndexHit>>(hits);
        }
        finally
        {
            _searchers!.Release(searcher);
        }
    }

    public Task<int> Count(string? datasetId)
    {
        Acquire(out var searcher);
        try
        {
            return Task.FromResult(datasetId is null
                ? searcher.IndexReader.NumDocs
                : searcher.Search(new TermQuery(new Term(DatasetScopeFilter.Field, datasetId)), 1).TotalHits);
        }
        finally
        {
            _searchers!.Release(searcher);
        }
    }

    public Task<CorpusStatistics> Statistics(string lexical)
    {
        Acquire(out var acquired);
        try
        {
            var parsed = LexicalQuery.Rewrite(LexicalQuery.Parse(lexical, _analyzer!), acquired.IndexReader, lexical);
            return Task.FromResult(new StatisticsRecorder(acquired.IndexReader).Record(parsed));
        }
        finally
        {
            _searchers!.Release(acquired);
        }
    }

    public async Task<IndexResult> Search(ShardQuery request)
    {
        var query = request.Query;
        var top = Math.Clamp(query.Top, 1, 1000);
        // The view at least as new as the coordinator's: a dataset closed there is closed here too.
        var view = await searchable.CurrentAsync(request.Scope.ViewVersion);
        Acquire(out var acquired);
        try
        {
            var filter = new DatasetScopeFilter(view, request.Scope, BuildFilter(query.Filter));
            IReadOnlyList<IndexMatch> lexical = [];
            if (query.Lexical is not null)
            {
                IndexSearcher searcher = request.Statistics is { } statistics
                    ? new CorpusSearcher(acquired.IndexReader, statistics)
                    : new IndexSearcher(acquired.IndexReader) { Similarity = new BM25Similarity() };
                var parsed = LexicalQuery.Rewrite(LexicalQuery.Parse(query.Lexical, _analyzer!), acquired.IndexReader, query.Lexical);
                var collector = TopScoreDocCollector.Create(top, true);
                try
                {
                    searcher.Search(parsed, filter, new TimeLimitingCollector(collector, TimeLimitingCollector.GlobalCounter,
                        (long)TimeBudget.TotalMilliseconds));
                }
                catch (TimeLimitingCollector.TimeExceededException)
                {
                    logger.LogWarning("A lexical query on search shard {Shard} ran out of its time budget; partial results returned", Shard);
                }

                lexical = collector.GetTopDocs().ScoreDocs.Select(hit => ToMatch(acquired, hit.Doc, hit.Score)).ToArray();
            }

            IReadOnlyList<IndexMatch> dense = query.Vector is null
                ? []
                : _vectors!.Search(acquired.IndexReader, query.Vector, filter, top).Select(hit => ToMatch(acquired, hit.Doc, hit.Score)).ToArray();
            return new IndexResult(lexical, dense);
        }
        finally
        {
            _searchers!.Release(acquired);
        }
    }

    private async Task<int> AddDocumentsAsync(ShardObject obj, CancellationToken cancellationToken)
    {
        float[][] vectors = [];
        try
        {
            await using var input = await store.OpenReadAsync(ObjectKeys.ObjectVectors(obj.DatasetId, obj.ObjectId), cancellationToken);
            vectors = await VectorFile.ReadAsync(input, cancellationToken);
        }
        catch (ObjectNotFoundException)
        {
            logger.LogWarning("Object {ObjectId} has no vector file; it is indexed for lexical search only", obj.ObjectId);
        }

        var documents = new List<Document>();
        try
        {
            await using var chunks = await store.OpenReadAsync(ObjectKeys.ObjectChunks(obj.DatasetId, obj.ObjectId), cancellationToken);
            await foreach (var chunk in ChunkFile.ReadAsync(chunks, cancellationToken))
            {
                var index = chunk.Locator.ChunkIndex;
                var vector = index < vectors.Length ? VectorFile.ToBytes(vectors[index]) : [];
                documents.Add(ToDocument(obj, chunk, vector));
            }
        }
        catch (ObjectNotFoundException)
        {
            logger.LogWarning("Object {ObjectId} has no chunk file any more; nothing to index", obj.ObjectId);
        }

        _writer!.AddDocuments(documents);
        return documents.Count;
    }

    private static Document ToDocument(ShardObject obj, StoredChunk chunk, byte[] vector)
    {
        var document = new Document
        {
            new StringField(DatasetScopeFilter.Field, obj.DatasetId, Field.Store.YES),
            new SortedDocValuesField(DatasetScopeFilter.Field, new BytesRef(obj.DatasetId)),
            new StringField("tenant_id", obj.TenantId, Field.Store.YES),
            new StringField("object_id", obj.ObjectId, Field.Store.YES),
            new SortedDocValuesField("object_id", new BytesRef(obj.ObjectId)),
            new StringField("chunk_key", ResultFusion.ChunkKey(obj.ObjectId, chunk.Locator.ChunkIndex), Field.Store.NO),
            new NumericDocValuesField("chunk_index", chunk.Locator.ChunkIndex),
            new NumericDocValuesField("text_hash", ResultFusion.TextHash(chunk.Text)),
            new NumericDocValuesField("approved_at", obj.ApprovedAt?.ToUnixTimeMilliseconds() ?? NotApproved),
            new StringField("content_type", obj.ContentType, Field.Store.YES),
            new TextField("filename", obj.Filename, Field.Store.YES),
            new Field(LexicalQuery.ContentField, chunk.Text, ContentFieldType),
            new StoredField("chunk_index", chunk.Locator.ChunkIndex),
            new StoredField("char_start", chunk.Locator.CharStart),
            new StoredField("char_end", chunk.Locator.CharEnd),
            new Int64Field("uploaded_at", obj.UploadedAt.ToUnixTimeMilliseconds(), Field.Store.YES),
            new BinaryDocValuesField(SegmentVectors.Field, new BytesRef(vector)),
        };
        if (chunk.Locator.Page is { } page) document.Add(new StoredField("page", page));
        if (chunk.Locator.Row is { } row) document.Add(new StoredField("row", row));
        if (obj.ApprovedAt is { } approved) document.Add(new StoredField("approved_at", approved.ToUnixTimeMilliseconds()));
        return document;
    }

    private const long NotApproved = long.MinValue;

    /// <summary>What ranking needs, from doc values: no stored document is read.</summary>
    private static IndexMatch ToMatch(IndexSearcher searcher, int docId, float score)
    {
        var leaves = searcher.IndexReader.Leaves;
        var leaf = leaves[ReaderUtil.SubIndex(docId, leaves)];
        var local = docId - leaf.DocBase;
        var reader = leaf.AtomicReader;
        var objectId = new BytesRef();
        reader.GetSortedDocValues("object_id").Get(local, objectId);
        var datasetId = new BytesRef();
        reader.GetSortedDocValues(DatasetScopeFilter.Field).Get(local, datasetId);
        var approved = reader.GetNumericDocValues("approved_at").Get(local);
        return new IndexMatch(datasetId.Utf8ToString(), objectId.Utf8ToString(), (int)reader.GetNumericDocValues("chunk_index").Get(local), score,
            reader.GetNumericDocValues("text_hash").Get(local), approved == NotApproved ? null : DateTimeOffset.FromUnixTimeMilliseconds(approved));
    }

    private static IndexHit ToHit(IndexSearcher searcher, int docId, float score) => ToHit(searcher.Doc(docId), score);

    /// <summary>A stored chunk document as a hit (also what the search benchmark's raw side reads).</summary>
    public static IndexHit ToHit(Document doc, float score)
    {
        var locator = new CitationLocator(
            doc.GetField("page")?.GetInt32Value(), doc.GetField("row")?.GetInt64Value(),
            doc.GetField("char_start")?.GetInt64Value() ?? 0, doc.GetField("char_end")?.GetInt64Value() ?? 0,
            doc.GetField("chunk_index")?.GetInt32Value() ?? 0);
        var approved = doc.GetField("approved_at")?.GetInt64Value();
        return new IndexHit(doc.Get(DatasetScopeFilter.Field), doc.Get("object_id"), score, doc.Get(LexicalQuery.ContentField), doc.Get("filename"), doc.Get("content_type"),
            locator, DateTimeOffset.FromUnixTimeMilliseconds(doc.GetField("uploaded_at")?.GetInt64Value() ?? 0),
            approved is null ? null : DateTimeOffset.FromUnixTimeMilliseconds(approved.Value));
    }

    private static Filter? BuildFilter(IndexFilter? filter)
    {
        if (filter is null || filter.IsEmpty) return null;
        var all = new BooleanQuery();
        if (filter.ContentTypes is { Count: > 0 } types) all.Add(AnyOf("content_type", types.Select(t => t.ToLowerInvariant())), Occur.MUST);
        if (filter.ObjectIds is { Count: > 0 } ids) all.Add(AnyOf("object_id", ids), Occur.MUST);
        if (filter.UploadedAfter is not null || filter.UploadedBefore is not null)
        {
            all.Add(NumericRangeQuery.NewInt64Range("uploaded_at", filter.UploadedAfter?.ToUnixTimeMilliseconds(),
                filter.UploadedBefore?.ToUnixTimeMilliseconds(), false, false), Occur.MUST);
        }

        return new QueryWrapperFilter(all);
    }

    private static BooleanQuery AnyOf(string field, IEnumerable<string> values)
    {
        var any = new BooleanQuery();
        foreach (var value in values.Distinct()) any.Add(new TermQuery(new Term(field, value)), Occur.SHOULD);
        return any;
    }

    private IndexSearcher Acquire(out IndexSearcher searcher) => searcher = _searchers!.Acquire();

    /// <summary>
    /// Commits locally under the next generation, then records the change and that generation durably. Should the
    /// record fail, the local commit carries a generation the store does not, so the next activation rebuilds.
    /// </summary>
    private async Task CommitAndRecordAsync(Func<long, Task> record)
    {
        var generation = ++_generation;
        Commit();
        _searchers!.MaybeRefreshBlocking();
        RefreshVectors();
        await record(generation);
    }

    private void RefreshVectors()
    {
        Acquire(out var searcher);
        try
        {
            _vectors!.Refresh(searcher.IndexReader);
        }
        finally
        {
            _searchers!.Release(searcher);
        }
    }

    private void Commit()
    {
        _writer!.SetCommitData(new Dictionary<string, string>
        {
            [GenerationKey] = _generation.ToString(CultureInfo.InvariantCulture),
            [FormatKey] = Format,
        });
        _writer.Commit();
    }

    private static FieldType CreateContentType()
    {
        var type = new FieldType(TextField.TYPE_STORED) { IndexOptions = IndexOptions.DOCS_AND_FREQS_AND_POSITIONS_AND_OFFSETS };
        type.Freeze();
        return type;
    }
}
