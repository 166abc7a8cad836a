using Ipto.Common;

namespace Ipto.Domain.Tests.Common;

public sealed class IdsTests
{
    [Fact]
    public void NewIdHasPrefixAndLowercase26CharacterBody()
    {
        var id = Ids.New("dset");

        Assert.StartsWith("dset_", id);
        Assert.Equal(5 + 26, id.Length);
        Assert.Equal(id.ToLowerInvariant(), id);
        Assert.True(Ids.IsValid(id, "dset"));
    }

    [Fact]
    public void IdsAreOrderedByCreationTime()
    {
        var earlier = Ids.New("job", DateTimeOffset.Parse("2026-04-05T10:00:00Z"));
        var later = Ids.New("job", DateTimeOffset.Parse("2026-04-05T10:00:00.001Z"));

        Assert.True(string.CompareOrdinal(earlier, later) < 0);
    }

    [Fact]
    public void IdsAreUnique()
    {
        var ids = Enumerable.Range(0, 10_000).Select(_ => Ids.New("obj")).ToHashSet();

        Assert.Equal(10_000, ids.Count);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("job_")]
    [InlineData("obj_01jq3n5a7v8x9y0z1a2b3c4d5e")]
    [InlineData("job_01jq3n5a7v8x9y0z1a2b3c4d5")]
    [InlineData("job_01JQ3N5A7V8X9Y0Z1A2B3C4D5E")]
    [InlineData("job_01jq3n5a7v8x9y0z1a2b3c4d5u")]
    [InlineData("job-01jq3n5a7v8x9y0z1a2b3c4d5e")]
    [InlineData("job_81jq3n5a7v8x9y0z1a2b3c4d5e")]
    public void MalformedIdsAreInvalid(string? id) => Assert.False(Ids.IsValid(id, "job"));

    [Fact]
    public void IdsMadeInOneProcessAreStrictlyIncreasingEvenWithinAMillisecond()
    {
        var ids = Enumerable.Range(0, 20_000).Select(_ => Ids.New("dset")).ToArray();

        Assert.Equal(ids.Order(StringComparer.Ordinal), ids);
        Assert.Equal(ids.Length, ids.Distinct().Count());
        Assert.All(ids, id => Assert.True(Ids.IsValid(id, "dset")));
    }
}
