using System.Numerics.Tensors;
using Ipto.Grains.Search;
using Lucene.Net.Analysis.Core;
using Lucene.Net.Documents;
using Lucene.Net.Index;
using Lucene.Net.Search;
using Lucene.Net.Store;
using Lucene.Net.Util;

namespace Ipto.Domain.Tests.Search;

/// <summary>
/// Approximate dense search (USearch HNSW) against exact search on clustered unit vectors, as embeddings are: recall@10
/// of the graph alone, and of a segment searched through its graph with deletions and filters applied.
/// </summary>
public sealed class VectorGraphTests
{
    private const int Dimensions = 384;

    /// <summary><paramref name="count"/> unit vectors around <paramref name="clusters"/> random centres, seeded (the centres by <paramref name="space"/>).</summary>
    private static float[][] Clustered(int count, int clusters, int seed, int space = 0)
    {
        var random = new Random(seed);
        var centreRandom = new Random(space);
        var centres = Enumerable.Range(0, clusters).Select(_ => Unit(Enumerable.Range(0, Dimensions).Select(_ => (float)centreRandom.NextDouble() - 0.5f).ToArray())).ToArray();
        return Enumerable.Range(0, count).Select(i =>
        {
            var centre = centres[i % clusters];
            return Unit(centre.Select(c => c + ((float)random.NextDouble() - 0.5f) * 0.12f).ToArray());
        }).ToArray();
    }

    private static float[] Unit(float[] v)
    {
        TensorPrimitives.Divide(v, TensorPrimitives.Norm(v), v);
        return v;
    }

    private static int[] ExactTop(float[][] vectors, float[] query, int k, Func<int, bool>? include = null) =>
        Enumerable.Range(0, vectors.Length).Where(i => include?.Invoke(i) ?? true)
            .OrderByDescending(i => TensorPrimitives.Dot(vectors[i], query)).Take(k).ToArray();

    [Fact]
    public void TheGraphFindsAtLeast95PercentOfTheExactTop10()
    {
        var vectors = Clustered(4_000, 400, seed: 1);
        using var graph = VectorGraph.Build(vectors.SelectMany(v => v).ToArray(), Dimensions, _ => true);
        var queries = Clustered(50, 400, seed: 2);

        var found = 0;
        foreach (var query in queries)
        {
            var exact = ExactTop(vectors, query, 10);
            var approximate = graph.Search(query, 10);
            Assert.Equal(10, approximate.Count);
            Assert.All(approximate, hit => Assert.Equal(TensorPrimitives.Dot(vectors[hit.Doc], query), hit.Score, 3));
            found += approximate.Count(hit => exact.Contains(hit.Doc));
        }

        Assert.True(found / (50.0 * 10) >= 0.95, $"recall@10 = {found / 500.0:F3}");
    }

    [Fact]
    public async Task ASegmentSearchedThroughItsGraphHonoursDeletionsAndFiltersAndMatchesTheExactScan()
    {
        var vectors = Clustered(3_000, 300, seed: 3);
        using var directory = new RAMDirectory();
        using (var writer = new IndexWriter(directory, new IndexWriterConfig(LuceneVersion.LUCENE_48, new KeywordAnalyzer()) { MaxBufferedDocs = 10_000, RAMBufferSizeMB = 256 }))
        {
            for (var i = 0; i < vectors.Length; i++)
                writer.AddDocument(new Document
                {
                    new StringField("id", i.ToString(System.Globalization.CultureInfo.InvariantCulture), Field.Store.NO),
                    new StringField("group", i % 100 == 0 ? "rare" : "common", Field.Store.NO),
                    new BinaryDocValuesField(SegmentVectors.Field, new BytesRef(VectorFile.ToBytes(vectors[i]))),
                });
            writer.Commit(); // one segment, documents numbered in the order they were added
            for (var i = 0; i < vectors.Length; i += 7) writer.DeleteDocuments(new Term("id", i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            writer.Commit();
        }

        using var reader = DirectoryReader.Open(directory);
        using var withGraph = new SegmentVectors(Dimensions, graphThreshold: 1_000);
        using var exactOnly = new SegmentVectors(Dimensions, graphThreshold: int.MaxValue);
        withGraph.Refresh(reader);
        exactOnly.Refresh(reader);
        await withGraph.WhenGraphsBuiltAsync();
        Assert.Equal((1, 0), (withGraph.GraphSegments, exactOnly.GraphSegments));
        var rare = new QueryWrapperFilter(new TermQuery(new Term("group", "rare")));
        static bool Live(int doc) => doc % 7 != 0;

        var (found, wanted) = (0, 0);
        foreach (var query in Clustered(40, 300, seed: 4))
        {
            var exact = exactOnly.Search(reader, query, null, 10).Select(h => h.Doc).ToArray();
            var approximate = withGraph.Search(reader, query, null, 10);
            Assert.All(approximate, hit => Assert.True(Live(hit.Doc), $"deleted document {hit.Doc} was returned"));
            Assert.Equal(ExactTop(vectors, query, 10, doc => Live(doc) && TensorPrimitives.Dot(vectors[doc], query) >= SegmentVectors.MinScore), exact);
            (found, wanted) = (found + approximate.Count(h => exact.Contains(h.Doc)), wanted + exact.Length);

            // A filter that leaves 25 of 3,000 documents: the graph's candidates hold too few, so the segment is scanned exactly.
            var filtered = withGraph.Search(reader, query, rare, 10).Select(h => h.Doc).ToArray();
            Assert.Equal(exactOnly.Search(reader, query, rare, 10).Select(h => h.Doc), filtered);
            Assert.All(filtered, doc => Assert.True(doc % 100 == 0 && Live(doc)));
        }

        Assert.True(found / (double)wanted >= 0.95, $"recall@10 = {found / (double)wanted:F3}");
    }
}
