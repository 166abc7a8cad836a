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
/// of those objects and the generation each change stamps into the Lucene commit. When the local commit does not carry
/// that generation (a new silo, a lost or stale disk), activation restores the shard's latest segment snapshot from the
/// object store and applies the objects added or removed since; without a usable snapshot it rebuilds the shard from
/// the objects' chunk and vector files. Snapshots are taken every <c>Ipto:Search:SnapshotPeriod</c> after a change,
/// off the grain's turn, uploading only new segment files.
/// </summary>
public sealed class IndexShardGrain(
    IndexShardStore shards,
    ShardSnapshots snapshots,
    SearchableDatasets searchable,
    IObjectStore store,
    ITextEmbedder embedder,
    IOptions<IptoOptions> options,
    ILogger<IndexShardGrain> logger) : Grain, IIndexShardGrain
{
    private const string GenerationKey = "generation";
    private const string FormatKey = "format";
    private const string LineageKey = "lineage";

    /// <summary>The document layout; an index written with another one is rebuilt on activation.</summary>
    private const string Format = "3";
    private static readonly FieldType ContentFieldType = CreateContentType();
    private static readonly TimeSpan TimeBudget = TimeSpan.FromSeconds(2);

    private string _path = "";
    private FSDirectory? _directory;
    private Analyzer? _analyzer;
    private SnapshotDeletionPolicy? _commits;
    private IndexWriter? _writer;
    private SearcherManager? _searchers;
    private SegmentVectors? _vectors;
    private long _generation;
    private string _lineage = "";
    private ShardManifest? _uploaded;
    private bool _uploadedKnown;
    private Task<long>? _snapshotting;

    private int Shard => (int)this.GetPrimaryKeyLong();
    private int ShardCount => options.Value.Search.Shards;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _path = Path.Combine(options.Value.FullDataDir, "index", "shards", Shard.ToString(CultureInfo.InvariantCulture));
        System.IO.Directory.CreateDirectory(_path);
        _analyzer = LexicalQuery.CreateAnalyzer();
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

        OpenWriter();
        var local = CommitValue(GenerationKey);
        if (local != _generation.ToString(CultureInfo.InvariantCulture) || CommitValue(FormatKey) != Format || CommitValue(LineageKey) is null)
        {
            if (!await TryRestoreAsync(local, cancellationToken)) await RebuildAsync(local, cancellationToken);
        }

        _lineage = CommitValue(LineageKey)!;
        _searchers = new SearcherManager(_writer, true, null);
        RefreshVectors();
        var period = options.Value.Search.SnapshotPeriod;
        this.RegisterGrainTimer(_ => SnapshotIfChangedAsync(), new GrainTimerCreationOptions(period, period) { Interleave = true });
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (_snapshotting is { } running)
        {
            try
            {
                await running.WaitAsync(cancellationToken);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                logger.LogWarning(e, "The snapshot of search shard {Shard} did not finish before deactivation", Shard);
            }
        }

        CloseIndex();
        _vectors?.Dispose();
        _analyzer?.Dispose();
    }

    public async Task<long> Snapshot()
    {
        if (_snapshotting is { } running) await Task.WhenAny(running);
        return await SnapshotIfChangedAsync() ?? _uploaded?.Generation ?? 0;
    }

    /// <summary>Starts a snapshot of the last commit when it is newer than the last one uploaded; null when there is nothing to do.</summary>
    private async Task<long?> SnapshotIfChangedAsync()
    {
        if (_snapshotting is not null) return null;
        if (!_uploadedKnown)
        {
            _uploaded = await snapshots.ManifestAsync(Shard, CancellationToken.None);
            _uploadedKnown = true;
        }

        if (_uploaded is { } last && last.Lineage == _lineage && last.Generation == _generation) return null;
        var commit = _commits!.Snapshot();
        var manifest = new ShardManifest(_lineage, long.Parse(commit.UserData[GenerationKey], CultureInfo.InvariantCulture), Format, commit.FileNames.ToArray());
        var previous = _uploaded;
        // The upload runs off the grain's scheduler: searches and writes go on; the held commit keeps its files on disk.
        _snapshotting = Task.Run(async () =>
        {
            await snapshots.UploadAsync(Shard, _path, manifest, previous, CancellationToken.None);
            return manifest.Generation;
        });
        try
        {
            await _snapshotting;
            _uploaded = manifest;
            logger.LogInformation("Search shard {Shard}: snapshot of generation {Generation} uploaded ({Files} files)", Shard, manifest.Generation, manifest.Files.Count);
            return manifest.Generation;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // The next period tries again; until then a restore uses the previous snapshot and catches up.
            logger.LogWarning(e, "Search shard {Shard}: the snapshot of generation {Generation} failed", Shard, manifest.Generation);
            _uploadedKnown = false;
            return null;
        }
        finally
        {
            _snapshotting = null;
            _commits.Release(commit);
            _writer?.DeleteUnusedFiles();
        }
    }

    /// <summary>Replaces the local files with the latest snapshot, then adds and removes the objects that changed since it.</summary>
    private async Task<bool> TryRestoreAsync(string? local, CancellationToken cancellationToken)
    {
        ShardManifest? manifest;
        try
        {
            manifest = await snapshots.ManifestAsync(Shard, cancellationToken);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            logger.LogWarning(e, "Search shard {Shard}: the snapshot manifest could not be read; rebuilding", Shard);
            return false;
        }

        if (manifest is null || manifest.Format != Format) return false;
        var watch = System.Diagnostics.Stopwatch.StartNew();
        try
        {
            CloseIndex();
            EmptyDirectory();
            await snapshots.DownloadAsync(Shard, manifest, _path, cancellationToken);
            OpenWriter();
            if (CommitValue(LineageKey) != manifest.Lineage) throw new InvalidDataException("The restored commit is not the snapshot's.");
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            logger.LogWarning(e, "Search shard {Shard}: restoring snapshot generation {Generation} failed; rebuilding", Shard, manifest.Generation);
            CloseIndex();
            EmptyDirectory();
            OpenWriter();
            return false;
        }

        // The snapshot may predate the last changes: bring its object set up to the store's.
        var wanted = (await shards.ObjectsAsync(Shard)).ToDictionary(o => o.ObjectId, StringComparer.Ordinal);
        var present = IndexedObjectIds();
        foreach (var gone in present.Where(id => !wanted.ContainsKey(id))) _writer!.DeleteDocuments(new Term("object_id", gone));
        var missing = wanted.Values.Where(o => !present.Contains(o.ObjectId)).ToArray();
        foreach (var obj in missing) await AddDocumentsAsync(obj, cancellationToken);
        Commit(manifest.Lineage);
        _uploaded = manifest;
        _uploadedKnown = true;
        logger.LogInformation(
            "Search shard {Shard} restored from snapshot generation {Snapshot} in {Ms} ms (local generation {Local}, expected {Expected}); {Missing} objects added since, {Gone} removed",
            Shard, manifest.Generation, watch.ElapsedMilliseconds, local ?? "none", _generation, missing.Length, present.Count(id => !wanted.ContainsKey(id)));
        return true;
    }

    private async Task RebuildAsync(string? local, CancellationToken cancellationToken)
    {
        var objects = await shards.ObjectsAsync(Shard);
        logger.LogInformation("Rebuilding search shard {Shard} from {Count} objects (local generation {Local}, expected {Expected})",
            Shard, objects.Count, local ?? "none", _generation);
        _writer!.DeleteAll();
        foreach (var obj in objects) await AddDocumentsAsync(obj, cancellationToken);
        // A new lineage: the rebuilt index's segment names start again and must not meet an older snapshot's files.
        Commit(Guid.NewGuid().ToString("N"));
    }

    private void OpenWriter()
    {
        _directory = FSDirectory.Open(_path);
        _commits = new SnapshotDeletionPolicy(new KeepOnlyLastCommitDeletionPolicy());
        _writer = new IndexWriter(_directory, new IndexWriterConfig(LexicalQuery.Version, _analyzer)
        {
            Similarity = new BM25Similarity(),
            IndexDeletionPolicy = _commits,
        });
    }

    private void CloseIndex()
    {
        _searchers?.Dispose();
        _searchers = null;
        _writer?.Dispose();
        _writer = null;
        _directory?.Dispose();
        _directory = null;
    }

    private void EmptyDirectory()
    {
        foreach (var file in System.IO.Directory.EnumerateFiles(_path)) File.Delete(file);
    }

    /// <summary>
    /// The query parsed and rewritten against this reader (wildcards expanded): a search asks for statistics and then
    /// searches with the same text, so the second phase reuses the first's work. Rewritten queries hold terms of one
    /// reader, so the cache is dropped whenever the reader changes.
    /// </summary>
    private Query Rewritten(string text, IndexReader reader)
    {
        if (!ReferenceEquals(_rewrittenFor, reader))
        {
            _rewritten.Clear();
            _rewrittenFor = reader;
        }

        if (_rewritten.TryGetValue(text, out var cached)) return cached;
        if (_rewritten.Count >= RewrittenCacheSize) _rewritten.Clear();
        return _rewritten[text] = LexicalQuery.Rewrite(LexicalQuery.Parse(text, _analyzer!), reader, text);
    }

    private const int RewrittenCacheSize = 64;
    private readonly Dictionary<string, Query> _rewritten = new(StringComparer.Ordinal);
    private IndexReader? _rewrittenFor;

    private string? CommitValue(string key) => _writer!.CommitData.TryGetValue(key, out var value) ? value : null;

    private HashSet<string> IndexedObjectIds()
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        using var reader = DirectoryReader.Open(_writer, true);
        var terms = MultiFields.GetTerms(reader, "object_id");
        if (terms is null) return ids;
        var iterator = terms.GetEnumerator();
        while (iterator.MoveNext()) ids.Add(iterator.Term.Utf8ToString());
        return ids;
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
            var parsed = Rewritten(lexical, acquired.IndexReader);
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
                var parsed = Rewritten(query.Lexical, acquired.IndexReader);
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
            // The usual first pass (its embeddings follow), or an object without text.
            logger.LogDebug("Object {ObjectId} has no vector file yet; it is indexed for lexical search only", obj.ObjectId);
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

    private void Commit(string? lineage = null)
    {
        _writer!.SetCommitData(new Dictionary<string, string>
        {
            [GenerationKey] = _generation.ToString(CultureInfo.InvariantCulture),
            [FormatKey] = Format,
            [LineageKey] = lineage ?? _lineage,
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
