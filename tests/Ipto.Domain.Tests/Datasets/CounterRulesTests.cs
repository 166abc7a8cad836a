using Ipto.Datasets;
using Ipto.Grains.Datasets;

namespace Ipto.Domain.Tests.Datasets;

public sealed class CounterRulesTests
{
    private static ObjectFootprint F(string status, string? review = null, long size = 100) => new(status, review, size);

    [Theory]
    [InlineData("pending_upload", null, 1, 0, 0, 0, 0, 0)]
    [InlineData("processing", "staged", 1, 1, 0, 0, 0, 100)]
    [InlineData("ready", "staged", 1, 1, 0, 0, 0, 100)]
    [InlineData("indexing", "approved", 1, 0, 1, 0, 0, 100)]
    [InlineData("active", "approved", 1, 0, 1, 0, 1, 100)]
    [InlineData("rejected", "rejected", 1, 0, 0, 1, 0, 0)]
    [InlineData("expired", "expired", 1, 0, 0, 0, 0, 0)]
    [InlineData("failed", "staged", 1, 0, 0, 0, 0, 0)]
    [InlineData("cancelled", null, 0, 0, 0, 0, 0, 0)]
    [InlineData("deleted", "approved", 0, 0, 0, 0, 0, 0)]
    public void EachStateContributesItsCounters(string status, string? review, long objects, long staged, long approved, long rejected, long active, long bytes) =>
        Assert.Equal(new DatasetCounters(objects, staged, approved, rejected, active, bytes), CounterRules.Contribution(F(status, review)));

    [Fact]
    public void ALifeFromUploadToDeletionEndsAtZero()
    {
        ObjectFootprint?[] life = [null, F("pending_upload"), F("processing", "staged"), F("ready", "staged"), F("indexing", "approved"), F("active", "approved"), F("deleted", "approved")];
        var counters = DatasetCounters.Zero;
        for (var i = 1; i < life.Length; i++)
        {
            counters = CounterRules.Apply(counters, new ObjectChange("obj_1", i, life[i - 1], life[i]!));
            if (life[i]!.Status == "active") Assert.Equal(new DatasetCounters(1, 0, 1, 0, 1, 100), counters);
        }

        Assert.Equal(DatasetCounters.Zero, counters);
    }
}
