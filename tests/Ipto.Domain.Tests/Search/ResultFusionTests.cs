using Ipto.Grains.Search;
using Ipto.Search;

namespace Ipto.Domain.Tests.Search;

public sealed class ResultFusionTests
{
    private static readonly DateTimeOffset Approved = DateTimeOffset.Parse("2026-04-05T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture);

    private static IndexMatch Hit(string objectId, int chunk, float score = 1f, string dataset = "ds_1", string? text = null) =>
        new(dataset, objectId, chunk, score, ResultFusion.TextHash(text ?? $"text of {objectId} chunk {chunk}"), Approved);

    private static string Key(IndexMatch hit) => $"{hit.DatasetId}/{hit.ObjectId}#{hit.ChunkIndex}";

    [Fact]
    public void MergeByScoreOrdersBestScoreFirstAcrossIndexes()
    {
        var merged = ResultFusion.MergeByScore([Hit("ob_a", 0, 1.5f, "ds_1"), Hit("ob_b", 0, 7f, "ds_2"), Hit("ob_c", 0, 3f, "ds_1")]);

        Assert.Equal([7f, 3f, 1.5f], merged.Select(h => h.Score));
    }

    [Fact]
    public void MergeByScoreBreaksTiesByDatasetThenObjectThenChunkWhateverTheInputOrder()
    {
        IndexMatch[] hits =
        [
            Hit("ob_b", 10, 2f, "ds_1"), Hit("ob_a", 0, 2f, "ds_2"), Hit("ob_b", 2, 2f, "ds_1"), Hit("ob_a", 5, 2f, "ds_1"), Hit("ob_z", 0, 9f, "ds_9"),
        ];
        // chunk 2 before chunk 10: chunk indexes compare as numbers, not strings.
        string[] expected = ["ds_9/ob_z#0", "ds_1/ob_a#5", "ds_1/ob_b#2", "ds_1/ob_b#10", "ds_2/ob_a#0"];

        Assert.Equal(expected, ResultFusion.MergeByScore(hits).Select(Key));
        Assert.Equal(expected, ResultFusion.MergeByScore(hits.Reverse()).Select(Key));
        Assert.Equal(expected, ResultFusion.MergeByScore([hits[2], hits[4], hits[0], hits[3], hits[1]]).Select(Key));
    }

    [Fact]
    public void FuseScoresEachChunkWithReciprocalRanksAtK60()
    {
        var a = Hit("ob_a", 0);
        var b = Hit("ob_b", 0);
        var c = Hit("ob_c", 0);
        var d = Hit("ob_d", 0);
        var e = Hit("ob_e", 0);

        var fused = ResultFusion.Fuse([a, b, c], [d, e, a with { Score = 0.42f }]).ToDictionary(r => r.Match.ObjectId, r => r.Score);

        Assert.Equal(5, fused.Count);                         // a appears once although it is in both lists
        Assert.Equal(1.0 / 61 + 1.0 / 63, fused["ob_a"], 12); // 1st lexical, 3rd dense
        Assert.Equal(1.0 / 62, fused["ob_b"], 12);            // 2nd lexical only
        Assert.Equal(1.0 / 63, fused["ob_c"], 12);            // 3rd lexical only
        Assert.Equal(1.0 / 61, fused["ob_d"], 12);            // 1st dense only
        Assert.Equal(1.0 / 62, fused["ob_e"], 12);            // 2nd dense only
    }

    [Fact]
    public void FuseOrdersByFusedScoreWithDeterministicTies()
    {
        var fused = ResultFusion.Fuse([Hit("ob_a", 0), Hit("ob_b", 0), Hit("ob_c", 0)], [Hit("ob_d", 0), Hit("ob_e", 0), Hit("ob_a", 0)]);

        // a = 1/61 + 1/63, d = 1/61, then b and e tie at 1/62 (object id decides), then c = 1/63.
        Assert.Equal(["ob_a", "ob_d", "ob_b", "ob_e", "ob_c"], fused.Select(r => r.Match.ObjectId));
        Assert.True(fused.Zip(fused.Skip(1)).All(p => p.First.Score >= p.Second.Score));
    }

    [Fact]
    public void FuseDoesNotDependOnWhichListIsLexical()
    {
        IndexMatch[] one = [Hit("ob_a", 0), Hit("ob_b", 1), Hit("ob_c", 0, dataset: "ds_2")];
        IndexMatch[] other = [Hit("ob_c", 0, dataset: "ds_2"), Hit("ob_b", 0), Hit("ob_a", 0)];

        var forward = ResultFusion.Fuse(one, other);
        var backward = ResultFusion.Fuse(other, one);

        Assert.Equal(forward.Select(r => (Key(r.Match), r.Score)), backward.Select(r => (Key(r.Match), r.Score)));
    }

    [Fact]
    public void TwoMiddlingRanksBeatOneTopRankOnlyWhileBothAreAboveRankKPlus2()
    {
        // With k = 60 a chunk ranked r in both lists ties a chunk ranked 1st in one list when 2/(60+r) = 1/61, i.e. r = 62.
        static List<RankedHit> FuseAt(int rank)
        {
            var lexical = Enumerable.Range(0, rank - 1).Select(i => Hit($"ob_lex{i:D3}", 0)).Append(Hit("ob_both", 0)).ToList();
            var dense = new[] { Hit("ob_top", 0) }.Concat(Enumerable.Range(0, rank - 2).Select(i => Hit($"ob_den{i:D3}", 0))).Append(Hit("ob_both", 0)).ToList();
            return ResultFusion.Fuse(lexical, dense);
        }

        static int Position(List<RankedHit> fused, string objectId) => fused.FindIndex(r => r.Match.ObjectId == objectId);

        var at61 = FuseAt(61);
        Assert.True(Position(at61, "ob_both") < Position(at61, "ob_top"));
        var at63 = FuseAt(63);
        Assert.True(Position(at63, "ob_both") > Position(at63, "ob_top"));
    }

    [Fact]
    public void FuseOfNothingIsNothing() => Assert.Empty(ResultFusion.Fuse([], []));

    [Fact]
    public void DedupKeepsTheFirstResultOfEachChunk()
    {
        var first = new RankedHit(Hit("ob_a", 3, text: "first copy"), 0.9);
        var sameChunkLater = new RankedHit(Hit("ob_a", 3, text: "first copy, as the dense index returned it"), 0.5);
        var otherChunk = new RankedHit(Hit("ob_a", 4), 0.7);
        var sameIndexOtherObject = new RankedHit(Hit("ob_b", 3), 0.6);

        var kept = ResultFusion.Dedup([first, otherChunk, sameChunkLater, sameIndexOtherObject]);

        Assert.Equal([first, otherChunk, sameIndexOtherObject], kept);
    }

    [Fact]
    public void DedupDropsIdenticalTextWithinOneObjectButKeepsItAcrossObjects()
    {
        var boilerplate = "Confidential. Do not distribute.";
        var a0 = new RankedHit(Hit("ob_a", 0, text: boilerplate), 0.9);
        var b0 = new RankedHit(Hit("ob_b", 0, text: boilerplate), 0.8);
        var a7 = new RankedHit(Hit("ob_a", 7, text: "  " + boilerplate + "\n"), 0.7); // same text once trimmed
        var a8 = new RankedHit(Hit("ob_a", 8, text: "Confidential. Do not distribute this."), 0.6);

        var kept = ResultFusion.Dedup([a0, b0, a7, a8]);

        Assert.Equal([a0, b0, a8], kept);
    }

    [Fact]
    public void DedupKeepsRankOrder()
    {
        var ranked = Enumerable.Range(0, 10).Select(i => new RankedHit(Hit($"ob_{i}", i), 1.0 / (i + 1))).ToList();

        Assert.Equal(ranked, ResultFusion.Dedup(ranked));
    }
}
