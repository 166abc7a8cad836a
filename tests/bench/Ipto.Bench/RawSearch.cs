using Ipto.Grains.Search;
using Ipto.Search;
using Lucene.Net.Analysis;
using Lucene.Net.Index;
using Lucene.Net.Search;
using Lucene.Net.Search.Similarities;
using Lucene.Net.Store;
using Lucene.Net.Util;

/// <summary>
/// The baseline of the search bench: the search shard's Lucene index opened read-only from disk and queried in-process with
/// the product's own parser, analyzer, BM25, vector scan and fusion, without HTTP, auth, grains, pricing or ledger.
/// </summary>
internal sealed class RawSearch : IDisposable
{
    private readonly FSDirectory _directory;
    private readonly DirectoryReader _reader;
    private readonly IndexSearcher _searcher;
    private readonly Analyzer _analyzer = LexicalQuery.CreateAnalyzer();
    private readonly SegmentVectors _vectors;
    private readonly ITextEmbedder _embedder;

    public RawSearch(string indexPath, ITextEmbedder embedder)
    {
        _directory = FSDirectory.Open(indexPath);
        _reader = DirectoryReader.Open(_directory);
        _searcher = new IndexSearcher(_reader) { Similarity = new BM25Similarity() };
        _vectors = new SegmentVectors(embedder.Dimensions);
        _vectors.Refresh(_reader);
        _embedder = embedder;
    }

    public int Documents => _reader.NumDocs;

    public int Segments => _reader.Leaves.Count;

    /// <summary>The Lucene directory implementation FSDirectory.Open chose here (the shard grain opens its index the same way).</summary>
    public string DirectoryKind => _directory.GetType().Name;

    /// <summary>Indexed terms of the content field starting with <paramref name="prefix"/>: distinct, and summed over the segments.</summary>
    public (int Distinct, int SummedOverSegments) PrefixTerms(string prefix)
    {
        var distinct = new HashSet<string>(StringComparer.Ordinal);
        var summed = 0;
        foreach (var leaf in _reader.Leaves)
        {
            var terms = leaf.AtomicReader.GetTerms(LexicalQuery.ContentField);
            if (terms is null) continue;
            var cursor = terms.GetEnumerator();
            if (cursor.SeekCeil(new BytesRef(prefix)) == TermsEnum.SeekStatus.END) continue;
            do
            {
                var term = cursor.Term.Utf8ToString();
                if (!term.StartsWith(prefix, StringComparison.Ordinal)) break;
                distinct.Add(term);
                summed++;
            }
            while (cursor.MoveNext());
        }

        return (distinct.Count, summed);
    }

    public IReadOnlyList<IndexHit> Lexical(string query, int top)
    {
        var parsed = LexicalQuery.Parse(query, _analyzer);
        return _searcher.Search(parsed, top).ScoreDocs.Select(hit => ToHit(hit.Doc, hit.Score)).ToArray();
    }

    /// <summary>The lexical search alone: the ranked document ids, no stored document loaded.</summary>
    public int[] LexicalDocIds(string query, int top) =>
        _searcher.Search(LexicalQuery.Parse(query, _analyzer), top).ScoreDocs.Select(hit => hit.Doc).ToArray();

    public IReadOnlyList<IndexHit> Dense(string query, int top)
    {
        var vector = _embedder.Embed([query])[0];
        return _vectors.Search(_reader, vector, null, top).Select(hit => ToHit(hit.Doc, hit.Score)).ToArray();
    }

    public IReadOnlyList<IndexHit> Hybrid(string query, int top)
    {
        var lexical = Lexical(query, top);
        var dense = Dense(query, top);
        var byKey = lexical.Concat(dense).GroupBy(h => ResultFusion.ChunkKey(h)).ToDictionary(g => g.Key, g => g.First());
        var fused = ResultFusion.Fuse(lexical.Select(ToMatch).ToArray(), dense.Select(ToMatch).ToArray());
        return fused.Take(top).Select(r => byKey[ResultFusion.ChunkKey(r.Match)]).ToArray();
    }

    public static IndexMatch ToMatch(IndexHit hit) =>
        new(hit.DatasetId, hit.ObjectId, hit.Locator.ChunkIndex, hit.Score, ResultFusion.TextHash(hit.Text), hit.ApprovedAt);

    public IReadOnlyList<IndexHit> Run(string mode, string query, int top) => mode switch
    {
        SearchModes.Lexical => Lexical(query, top),
        SearchModes.Dense => Dense(query, top),
        _ => Hybrid(query, top),
    };

    /// <summary>Loads the stored document of a hit, as the shard grain does.</summary>
    private IndexHit ToHit(int docId, float score) => IndexShardGrain.ToHit(_searcher.Doc(docId), score);

    public void Dispose()
    {
        _reader.Dispose();
        _directory.Dispose();
        _analyzer.Dispose();
    }
}
