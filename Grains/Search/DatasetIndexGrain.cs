using System.Text.Json;
using Ipto.Common;
using Ipto.Grains.Hosting;
using Ipto.Grains.ObjectStore;
using Ipto.Objects;
using Ipto.Search;
using Lucene.Net.Analysis;
using Lucene.Net.Analysis.Core;
using Lucene.Net.Analysis.Miscellaneous;
using Lucene.Net.Analysis.Standard;
using Lucene.Net.Documents;
using Lucene.Net.Index;
using Lucene.Net.QueryParsers.Classic;
using Lucene.Net.Search;
using Lucene.Net.Search.Similarities;
using Lucene.Net.Store;
using Lucene.Net.Util;
using Microsoft.Extensions.Options;

namespace Ipto.Grains.Search;

/// <summary>
/// A dataset's Lucene index on the silo's local disk (BM25 on writer and searcher; keyword fields for ids and content
/// types; content stored with offsets for highlighting). The chunk files in the object store are the durable source:
/// indexing an object again replaces its documents, so the index can always be rebuilt.
/// </summary>
public sealed class DatasetIndexGrain(IObjectStore store, IOptions<IptoOptions> options) : Grain, IDatasetIndexGrain
{
    private const LuceneVersion Version = LuceneVersion.LUCENE_48;
    private static readonly FieldType ContentType = CreateContentType();

    private FSDirectory? _directory;
    private Analyzer? _analyzer;
    private IndexWriter? _writer;
    private SearcherManager? _searchers;

    private string DatasetId => this.GetPrimaryKeyString();

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var path = Path.Combine(options.Value.FullDataDir, "index", DatasetId);
        System.IO.Directory.CreateDirectory(path);
        _directory = FSDirectory.Open(path);
        _analyzer = new PerFieldAnalyzerWrapper(new StandardAnalyzer(Version), new Dictionary<string, Analyzer>
        {
            ["object_id"] = new KeywordAnalyzer(),
            ["content_type"] = new KeywordAnalyzer(),
        });
        _writer = new IndexWriter(_directory, new IndexWriterConfig(Version, _analyzer) { Similarity = new BM25Similarity() });
        _searchers = new SearcherManager(_writer, true, null);
        return Task.CompletedTask;
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _searchers?.Dispose();
        _writer?.Dispose();
        _analyzer?.Dispose();
        _directory?.Dispose();
        return Task.CompletedTask;
    }

    public async Task<int> IndexObject(ObjectSnapshot obj)
    {
        var documents = new List<Document>();
        await using (var chunks = await store.OpenReadAsync(ObjectKeys.ObjectChunks(obj.DatasetId, obj.ObjectId)))
        using (var reader = new StreamReader(chunks))
        {
            while (await reader.ReadLineAsync() is { } line)
            {
                if (line.Length == 0) continue;
                using var chunk = JsonDocument.Parse(line);
                var root = chunk.RootElement;
                documents.Add(new Document
                {
                    new StringField("object_id", obj.ObjectId, Field.Store.YES),
                    new StringField("content_type", obj.ContentType.ToLowerInvariant(), Field.Store.YES),
                    new TextField("filename", obj.Filename, Field.Store.YES),
                    new Int32Field("chunk_index", root.GetProperty("chunk_index").GetInt32(), Field.Store.YES),
                    new Field("content", root.GetProperty("text").GetString() ?? "", ContentType),
                });
            }
        }

        // Replace what an earlier run indexed for the object: indexing is idempotent.
        _writer!.DeleteDocuments(new Term("object_id", obj.ObjectId));
        _writer.AddDocuments(documents);
        _writer.Commit();
        _searchers!.MaybeRefreshBlocking();
        return documents.Count;
    }

    public Task RemoveObject(string objectId)
    {
        _writer!.DeleteDocuments(new Term("object_id", objectId));
        _writer.Commit();
        _searchers!.MaybeRefreshBlocking();
        return Task.CompletedTask;
    }

    public Task Drop()
    {
        _writer!.DeleteAll();
        _writer.Commit();
        _searchers!.MaybeRefreshBlocking();
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<IndexHit>> SearchLexical(string query, int top)
    {
        Query parsed;
        try
        {
            parsed = new QueryParser(Version, "content", _analyzer) { AllowLeadingWildcard = true }.Parse(query);
        }
        catch (ParseException e)
        {
            throw new IptoException(ErrorCodes.InvalidQuery, $"The query does not parse: {e.Message}");
        }

        var searcher = _searchers!.Acquire();
        try
        {
            searcher.Similarity = new BM25Similarity();
            var hits = searcher.Search(parsed, top).ScoreDocs.Select(hit =>
            {
                var doc = searcher.Doc(hit.Doc);
                return new IndexHit(DatasetId, doc.Get("object_id"), doc.GetField("chunk_index").GetInt32Value() ?? 0, hit.Score,
                    doc.Get("content"), doc.Get("filename"), doc.Get("content_type"));
            }).ToArray();
            return Task.FromResult<IReadOnlyList<IndexHit>>(hits);
        }
        finally
        {
            _searchers.Release(searcher);
        }
    }

    private static FieldType CreateContentType()
    {
        var type = new FieldType(TextField.TYPE_STORED) { IndexOptions = IndexOptions.DOCS_AND_FREQS_AND_POSITIONS_AND_OFFSETS };
        type.Freeze();
        return type;
    }
}
