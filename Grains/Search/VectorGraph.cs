using Cloud.Unum.USearch;

namespace Ipto.Grains.Search;

/// <summary>
/// An approximate nearest-neighbour graph (HNSW, USearch) over one segment's vectors, keyed by document number. Inner
/// product on L2-normalised vectors is the cosine; USearch reports it as a distance (1 − cosine). Holds native memory:
/// dispose it with its segment.
/// </summary>
public sealed class VectorGraph : IDisposable
{
    /// <summary>Graph degree and build/search breadth: recall@10 ≥ 0.95 on embeddings at these (see the ANN bench).</summary>
    public const int Connectivity = 16;
    public const int ExpansionAdd = 128;
    public const int ExpansionSearch = 96;

    private readonly USearchIndex _index;

    private VectorGraph(USearchIndex index) => _index = index;

    public int Count => (int)_index.Size();

    /// <summary>Builds the graph of the documents of <paramref name="vectors"/> (flat, <paramref name="dimensions"/> per document) that <paramref name="include"/> accepts.</summary>
    public static VectorGraph Build(float[] vectors, int dimensions, Func<int, bool> include)
    {
        var index = new USearchIndex(MetricKind.Ip, ScalarKind.Float32, (ulong)dimensions, Connectivity, ExpansionAdd, ExpansionSearch, false);
        try
        {
            var vector = new float[dimensions];
            for (var doc = 0; doc < vectors.Length / dimensions; doc++)
            {
                if (!include(doc)) continue;
                vectors.AsSpan(doc * dimensions, dimensions).CopyTo(vector);
                index.Add((ulong)doc, vector);
            }

            return new VectorGraph(index);
        }
        catch
        {
            index.Dispose();
            throw;
        }
    }

    /// <summary>Up to <paramref name="count"/> approximate nearest documents, most similar first, with their cosine.</summary>
    public IReadOnlyList<(int Doc, float Score)> Search(float[] query, int count)
    {
        if (count <= 0 || _index.Size() == 0) return [];
        var found = _index.Search(query, count, out var keys, out var distances);
        var hits = new (int, float)[found];
        for (var i = 0; i < found; i++) hits[i] = ((int)keys[i], 1f - distances[i]);
        return hits;
    }

    public void Dispose() => _index.Dispose();
}
