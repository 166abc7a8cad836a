using System.Numerics.Tensors;
using Lucene.Net.Index;
using Lucene.Net.Search;
using Lucene.Net.Util;

namespace Ipto.Grains.Search;

/// <summary>
/// The chunk embeddings of an index, per Lucene segment: segments are immutable, so each one's vectors are read from
/// its binary doc values once and kept as one flat float array; a search is an exact SIMD dot-product scan over the
/// live (and filtered) documents, keeping the best <c>top</c> of those at least <see cref="MinScore"/> similar: nearest
/// neighbours always exist, but a chunk unrelated to the query must not become a (billable) result.
/// </summary>
public sealed class SegmentVectors(int dimensions)
{
    public const string Field = "vector";

    /// <summary>Cosine below which a chunk is not a match (MiniLM puts unrelated text near 0, paraphrases near 0.5–0.8).</summary>
    public const float MinScore = 0.2f;

    private readonly Dictionary<object, float[]> _segments = [];

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

        foreach (var gone in _segments.Keys.Where(k => !current.Contains(k)).ToList()) _segments.Remove(gone);
    }

    public IReadOnlyList<(int Doc, float Score)> Search(IndexReader reader, float[] query, Filter? filter, int top)
    {
        if (query.Length != dimensions || top <= 0) return [];
        var best = new PriorityQueue<int, float>(top + 1);
        foreach (var leaf in reader.Leaves)
        {
            if (!_segments.TryGetValue(leaf.AtomicReader.CoreCacheKey, out var vectors)) continue;
            var live = leaf.AtomicReader.LiveDocs;
            var allowed = filter is null ? null : Allowed(filter, leaf, live);
            var maxDoc = leaf.AtomicReader.MaxDoc;
            for (var doc = 0; doc < maxDoc; doc++)
            {
                if (live is not null && !live.Get(doc)) continue;
                if (allowed is not null && !allowed.Get(doc)) continue;
                var vector = vectors.AsSpan(doc * dimensions, dimensions);
                if (vector[0] is float.NaN) continue;
                var score = TensorPrimitives.Dot(vector, query);
                if (score < MinScore) continue;
                if (best.Count < top) best.Enqueue(leaf.DocBase + doc, score);
                else if (best.TryPeek(out _, out var worst) && score > worst) best.EnqueueDequeue(leaf.DocBase + doc, score);
            }
        }

        var hits = new List<(int, float)>(best.Count);
        while (best.TryDequeue(out var doc, out var score)) hits.Add((doc, score));
        hits.Reverse();
        return hits;
    }

    private float[] Load(AtomicReader reader)
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

        return vectors;
    }

    private static FixedBitSet Allowed(Filter filter, AtomicReaderContext leaf, IBits? live)
    {
        var bits = new FixedBitSet(leaf.AtomicReader.MaxDoc);
        var iterator = filter.GetDocIdSet(leaf, live)?.GetIterator();
        if (iterator is null) return bits;
        for (var doc = iterator.NextDoc(); doc != DocIdSetIterator.NO_MORE_DOCS; doc = iterator.NextDoc()) bits.Set(doc);
        return bits;
    }
}
