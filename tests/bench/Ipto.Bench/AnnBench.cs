using System.Diagnostics;
using System.Globalization;
using System.Numerics.Tensors;
using Ipto.Grains.Search;

/// <summary>
/// Approximate (HNSW, <see cref="VectorGraph"/>) against exact dense search on one process's copy of the same vectors:
/// build time, recall@10 and query latency. Vectors are synthetic unit vectors in clusters of ten (384 dimensions,
/// seeded): embedding 100,000 real chunks would take over an hour here, and clustered vectors are what HNSW sees in
/// embeddings (uniform random ones are its known worst case).
/// </summary>
internal static class AnnBench
{
    public static void Run(string[] args)
    {
        var count = Argument(args, "vectors", 100_000);
        var queries = Argument(args, "queries", 200);
        const int dimensions = 384;
        var flat = Clustered(count, count / 10, seed: 1, dimensions);
        var queryVectors = Enumerable.Range(0, queries).Select(i => Clustered(1, count / 10, seed: 100 + i, dimensions)).ToArray();

        var watch = Stopwatch.StartNew();
        using var graph = VectorGraph.Build(flat, dimensions, _ => true);
        var build = watch.Elapsed.TotalSeconds;

        var (exactTimes, graphTimes, found) = (new List<double>(), new List<double>(), 0);
        foreach (var query in queryVectors)
        {
            watch.Restart();
            var exact = ExactTop(flat, dimensions, query, 10);
            exactTimes.Add(watch.Elapsed.TotalMilliseconds);
            watch.Restart();
            var approximate = graph.Search(query, 10);
            graphTimes.Add(watch.Elapsed.TotalMilliseconds);
            found += approximate.Count(hit => exact.Contains(hit.Doc));
        }

        Console.WriteLine(FormattableString.Invariant(
            $"{count} vectors, {queries} queries, M={VectorGraph.Connectivity} efAdd={VectorGraph.ExpansionAdd} efSearch={VectorGraph.ExpansionSearch}: build {build:F1} s ({count / build:F0} vectors/s), recall@10 {found / (queries * 10.0):F3}"));
        Console.WriteLine(FormattableString.Invariant(
            $"exact p50 {Percentile(exactTimes, 0.5):F2} ms p99 {Percentile(exactTimes, 0.99):F2} ms; graph p50 {Percentile(graphTimes, 0.5):F3} ms p99 {Percentile(graphTimes, 0.99):F3} ms; p50 exact/graph {Percentile(exactTimes, 0.5) / Percentile(graphTimes, 0.5):F0}x"));
    }

    private static float[] Clustered(int count, int clusters, int seed, int dimensions)
    {
        var (noise, space) = (new Random(seed), new Random(0));
        var centres = new float[clusters][];
        for (var c = 0; c < clusters; c++) centres[c] = Enumerable.Range(0, dimensions).Select(_ => (float)space.NextDouble() - 0.5f).ToArray();
        var flat = new float[count * dimensions];
        for (var i = 0; i < count; i++)
        {
            var v = flat.AsSpan(i * dimensions, dimensions);
            var centre = centres[noise.Next(clusters)];
            for (var d = 0; d < dimensions; d++) v[d] = centre[d] + ((float)noise.NextDouble() - 0.5f) * 0.12f;
            TensorPrimitives.Divide(v, TensorPrimitives.Norm(v), v);
        }

        return flat;
    }

    private static int[] ExactTop(float[] flat, int dimensions, float[] query, int k)
    {
        var best = new PriorityQueue<int, float>(k + 1);
        for (var doc = 0; doc < flat.Length / dimensions; doc++)
        {
            var score = TensorPrimitives.Dot(flat.AsSpan(doc * dimensions, dimensions), query);
            if (best.Count < k) best.Enqueue(doc, score);
            else if (best.TryPeek(out _, out var worst) && score > worst) best.EnqueueDequeue(doc, score);
        }

        return best.UnorderedItems.Select(e => e.Element).ToArray();
    }

    private static double Percentile(List<double> values, double p)
    {
        var sorted = values.Order().ToArray();
        return sorted[Math.Min(sorted.Length - 1, (int)(p * sorted.Length))];
    }

    private static int Argument(string[] args, string name, int fallback) =>
        args.FirstOrDefault(a => a.StartsWith(name + "=", StringComparison.Ordinal)) is { } arg
            ? int.Parse(arg[(name.Length + 1)..], CultureInfo.InvariantCulture)
            : fallback;
}
