using Ipto.Grains.Search;

namespace Ipto.Testing.Jobs;

/// <summary>
/// MiniLM, except that a batch holding a text with <see cref="Marker"/> waits while <see cref="Hold"/> is set: a test
/// can keep one object's embeddings from arriving and see it searchable lexically meanwhile. Other texts pass at once.
/// </summary>
public sealed class HoldingEmbedder(ITextEmbedder inner) : ITextEmbedder
{
    public const string Marker = "holdembeddings";
    public static volatile ManualResetEventSlim? Hold;

    public int Dimensions => inner.Dimensions;

    public float[][] Embed(IReadOnlyList<string> texts)
    {
        if (Hold is { } hold && texts.Any(t => t.Contains(Marker, StringComparison.OrdinalIgnoreCase)))
            hold.Wait(TimeSpan.FromMinutes(2));
        return inner.Embed(texts);
    }
}
