using System.Numerics.Tensors;
using Ipto.Grains.Search;

namespace Ipto.Domain.Tests.Search;

/// <summary>
/// The real model: texts embedded in length-ordered runs come back in the order they were given, each with the vector
/// it gets when embedded alone (padding is masked out, so sharing a run changes nothing).
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
        // More texts than one run, of very different lengths, so ordering by length reorders them across runs.
        var texts = Enumerable.Range(0, 3 * MiniLmEmbedder.RunSize + 3)
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
    public void NoTextsGiveNoVectors() => Assert.Empty(new MiniLmEmbedder().Embed([]));
}
