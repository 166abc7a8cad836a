using Ipto.Grains.Search;
using Ipto.Search;

namespace Ipto.Domain.Tests.Search;

public sealed class ResultFusionTests
{
    private static IndexHit Hit(string obj, int chunk, float score, string? text = null, string dataset = "dset_a") =>
        new(dataset, obj, score, text ?? $"{obj} chunk {chunk}", "f.txt", "text/plain", new CitationLocator(null, null, 0, 10, chunk), DateTimeOffset.UnixEpoch, null);

    [Fact]
    public void MergeByScoreOrdersBestFirstAndBreaksTiesByDatasetObjectAndChunk()
    {
        var merged = ResultFusion.MergeByScore([Hit("obj_b", 0, 1f, dataset: "dset_b"), Hit("obj_a", 1, 1f), Hit("obj_c", 0, 2f), Hit("obj_a", 0, 1f)]);

        Assert.Equal(["obj_c#0", "obj_a#0", "obj_a#1", "obj_b#0"], merged.Select(ResultFusion.ChunkKey));
    }

    [Fact]
    public void FuseSumsReciprocalRanksWithKSixty()
    {
        var lexical = new[] { Hit("obj_a", 0, 9f), Hit("obj_b", 0, 5f), Hit("obj_c", 0, 1f) };
        var dense = new[] { Hit("obj_c", 0, 0.9f), Hit("obj_d", 0, 0.8f), Hit("obj_a", 0, 0.7f) };

        var fused = ResultFusion.Fuse(lexical, dense).ToDictionary(h => h.Hit.ObjectId, h => h.Score);

        Assert.Equal(1.0 / 61 + 1.0 / 63, fused["obj_a"], 12);
        Assert.Equal(1.0 / 63 + 1.0 / 61, fused["obj_c"], 12);
        Assert.Equal(1.0 / 62, fused["obj_b"], 12);
        Assert.Equal(1.0 / 62, fused["obj_d"], 12);
        var order = ResultFusion.Fuse(lexical, dense).Select(h => h.Hit.ObjectId).ToArray();
        Assert.Equal(["obj_a", "obj_c", "obj_b", "obj_d"], order);
    }

    [Fact]
    public void FusingOneEmptyListKeepsTheOtherListsOrder()
    {
        var dense = new[] { Hit("obj_x", 0, 0.9f), Hit("obj_y", 0, 0.5f) };

        Assert.Equal(["obj_x", "obj_y"], ResultFusion.Fuse([], dense).Select(h => h.Hit.ObjectId));
    }

    [Fact]
    public void DedupKeepsOneResultPerChunkAndIdenticalTextOncePerObject()
    {
        var ranked = ResultFusion.Scored(
        [
            Hit("obj_a", 0, 5f, "Same words."),
            Hit("obj_a", 0, 4f, "Same words."),      // the same chunk again
            Hit("obj_a", 3, 3f, "  Same words.  "),  // identical text in the same object
            Hit("obj_b", 0, 2f, "Same words."),      // identical text in another object stays
            Hit("obj_a", 4, 1f, "Other words."),
        ]);

        var kept = ResultFusion.Dedup(ranked);

        Assert.Equal(["obj_a#0", "obj_b#0", "obj_a#4"], kept.Select(h => ResultFusion.ChunkKey(h.Hit)));
        Assert.Equal(5d, kept[0].Score);
    }
}
