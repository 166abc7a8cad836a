using System.Numerics.Tensors;
using Lucene.Net.Index;
using Lucene.Net.Search;
using Lucene.Net.Util;

namespace Ipto.Grains.Search;

/// <summary>
/// The chunk embeddings of an index, per Lucene segment: segments are immutable, so each one's vectors are read from
/// its binary doc values once and kept as one flat float array. A small segment is searched by an exact SIMD
/// dot-product scan over the live (and filtered) documents; a segment of at least <c>graphThreshold</c> documents also
/// gets an HNSW graph (<see cref="VectorGraph"/>), built once in the background (about 1,300 vectors/s here, so a merged
/// segment is scanned exactly until its graph is ready and no search waits for it), searched for a few times <c>top</c> candidates that are
/// then checked against deletions and the filter — when too few pass, that segment is scanned exactly, so a filter
/// never loses results to the approximation. Either way only chunks at least <see cref="MinScore"/> similar count:
/// nearest neighbours always exist, but a chunk unrelated to the query must not become a (billable) result.
/// </summary>
public sealed class SegmentVectors(int dimensions, int graphThreshold = SegmentVectors.DefaultGraphThreshold) : IDisposable
{
    public const string Field = "vector";

    /// <summary>Cosine below which a chunk is not a match (MiniLM puts unrelated text near 0, paraphrases near 0.5–0.8).</summary>
    public const float MinScore = 0.2f;

    /// <summary>Below this many documents an exact scan is about as fast as the graph (~1 ms per 20,000 vectors here) and exact.</summary>
    public const int DefaultGraphThreshold = 20_000;

    /// <summary>Graph candidates per wanted hit: headroom for deleted and filtered-out documents before falling back to a scan.</summary>
    private const int Oversample = 4;

    private sealed class Segment(float[] vectors)
    {
        public float[] Vectors { get; } = vectors;
        public VectorGraph? Graph { get; set; }
        public bool Gone { get; set; }
        public Task Built { get; set; } = Task.CompletedTask;

        public void Forget()
        {
            lock (this)
            {
                Gone = true;
                Graph?.Dispose();
                Graph = null;
            }
        }
    }

    private readonly Dictionary<object, Segment> _segments = [];

    /// <summary>How many of the loaded segments are searched through a graph.</summary>
    public int GraphSegments => _segments.Values.Count(s => s.Graph is not null);

    /// <summary>Loads the vectors of segments not seen before and forgets segments that are gone.</summary>
    public void Refresh(IndexReader reader)
    {
        var current = new HashSet<object>();
        foreach (var leaf in reader.Leaves)
        {
            var key = leaf.AtomicReader.CoreCacheKey;
            current.Add(key);
            if (!_segments.ContainsKey(key)) _segments[key] = Load(leaf.AtomicReader);
        }

        foreach (var gone in _segments.Keys.Where(k => !current.Contains(k)).ToList())
        {
            _segments[gone].Forget();
            _segments.Remove(gone);
        }
    }

    /// <summary>Completes when every graph being built for the loaded segments is ready (benches and tests wait on it).</summary>
    internal Task WhenGraphsBuiltAsync() => Task.WhenAll(_segments.Values.Select(s => s.Built));

    public void Dispose()
    {
        foreach (var segment in _segments.Values) segment.Forget();
        _segments.Clear();
    }

    public IReadOnlyList<(int Doc, float Score)> Search(IndexReader reader, float[] query, Filter? filter, int top)
    {
        if (query.Length != dimensions || top <= 0) return [];
        var best = new PriorityQueue<int, float>(top + 1);
        foreach (var leaf in reader.Leaves)
        {
            if (!_segments.TryGetValue(leaf.AtomicReader.CoreCacheKey, out var segment)) continue;
            var live = leaf.AtomicReader.LiveDocs;
            var allowed = filter is null ? null : Allowed(filter, leaf, live);
            bool Searchable(int doc) => (live is null || live.Get(doc)) && (allowed is null || allowed.Get(doc));
            if (segment.Graph is { } graph && SearchGraph(graph, leaf.DocBase, query, top, Searchable, best)) continue;
            var vectors = segment.Vectors;
            var maxDoc = leaf.AtomicReader.MaxDoc;
            for (var doc = 0; doc < maxDoc; doc++)
            {
                if (!Searchable(doc)) continue;
                var vector = vectors.AsSpan(doc * dimensions, dimensions);
                if (vector[0] is float.NaN) continue;
                Offer(best, top, leaf.DocBase + doc, TensorPrimitives.Dot(vector, query));
            }
        }

        var hits = new List<(int, float)>(best.Count);
        while (best.TryDequeue(out var doc, out var score)) hits.Add((doc, score));
        hits.Reverse();
        return hits;
    }

    /// <summary>
    /// Offers the graph's candidates that are searchable; false (nothing offered) when fewer than <paramref name="top"/>
    /// passed although the graph had more to give, so the caller scans the segment exactly instead.
    /// </summary>
    private static bool SearchGraph(VectorGraph graph, int docBase, float[] query, int top, Func<int, bool> searchable, PriorityQueue<int, float> best)
    {
        var wanted = Math.Min(graph.Count, top * Oversample);
        var candidates = graph.Search(query, wanted).Where(hit => searchable(hit.Doc)).ToArray();
        if (candidates.Length < top && wanted < graph.Count) return false;
        foreach (var (doc, score) in candidates) Offer(best, top, docBase + doc, score);
        return true;
    }

    private static void Offer(PriorityQueue<int, float> best, int top, int doc, float score)
    {
        if (score < MinScore) return;
        if (best.Count < top) best.Enqueue(doc, score);
        else if (best.TryPeek(out _, out var worst) && score > worst) best.EnqueueDequeue(doc, score);
    }

    private Segment Load(AtomicReader reader)
    {
        var maxDoc = reader.MaxDoc;
        var vectors = new float[maxDoc * dimensions];
        var values = reader.GetBinaryDocValues(Field);
        var bytes = new BytesRef();
        for (var doc = 0; doc < maxDoc; doc++)
        {
            var target = vectors.AsSpan(doc * dimensions, dimensions);
            values?.Get(doc, bytes);
            if (values is null || bytes.Length != dimensions * sizeof(float))
            {
                target[0] = float.NaN; // no embedding for this chunk: never a dense hit
                continue;
            }

            VectorFile.FromBytes(bytes.Bytes.AsSpan(bytes.Offset, bytes.Length)).CopyTo(target);
        }

        var segment = new Segment(vectors);
        if (maxDoc >= graphThreshold) segment.Built = Task.Run(() => BuildGraph(segment));
        return segment;
    }

    private void BuildGraph(Segment segment)
    {
        var vectors = segment.Vectors;
        var graph = VectorGraph.Build(vectors, dimensions, doc => vectors[doc * dimensions] is not float.NaN);
        lock (segment)
        {
            if (segment.Gone) graph.Dispose();
            else segment.Graph = graph;
        }
    }

    /// <summary>The filter's documents of a segment: its own random-access bits when it has them, else a bit set built from its iterator.</summary>
    private static IBits Allowed(Filter filter, AtomicReaderContext leaf, IBits? live)
    {
        var set = filter.GetDocIdSet(leaf, live);
        if (set?.Bits is { } random) return random;
        var bits = new FixedBitSet(leaf.AtomicReader.MaxDoc);
        var iterator = set?.GetIterator();
        if (iterator is null) return bits;
        for (var doc = iterator.NextDoc(); doc != DocIdSetIterator.NO_MORE_DOCS; doc = iterator.NextDoc()) bits.Set(doc);
        return bits;
    }
}
