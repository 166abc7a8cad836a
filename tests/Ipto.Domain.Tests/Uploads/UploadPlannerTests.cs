using Ipto.Grains.Uploads;

namespace Ipto.Domain.Tests.Uploads;

public sealed class UploadPlannerTests
{
    private const long MiB = 1024 * 1024;
    private readonly UploadPlanner _planner = UploadPlanner.Default;

    [Theory]
    [InlineData(1)]
    [InlineData(64 * MiB)]
    public void UpToTheThresholdIsASinglePut(long size)
    {
        var plan = _planner.Plan(size)!;

        Assert.False(plan.IsMultipart);
        Assert.Equal(size, Assert.Single(plan.Parts).Size);
    }

    [Fact]
    public void AboveTheThresholdUsesEightMebibyteParts()
    {
        var plan = _planner.Plan(70 * MiB)!;

        Assert.True(plan.IsMultipart);
        Assert.Equal(8 * MiB, plan.PartSize);
        Assert.Equal(9, plan.Parts.Count);
        Assert.Equal(6 * MiB, plan.Parts[^1].Size);
    }

    [Theory]
    [InlineData(64 * MiB + 1)]
    [InlineData(70 * MiB)]
    [InlineData(49L * 1024 * MiB + 3)]
    [InlineData(50L * 1024 * MiB)]
    public void PartsCoverTheFileExactlyWithinTheLimits(long size)
    {
        var plan = _planner.Plan(size)!;

        Assert.InRange(plan.Parts.Count, 1, 10_000);
        Assert.True(plan.PartSize >= 8 * MiB);
        Assert.Equal(0, plan.PartSize % MiB);
        Assert.Equal(size, plan.Parts.Sum(p => p.Size));
        for (var i = 0; i < plan.Parts.Count; i++)
        {
            Assert.Equal(i + 1, plan.Parts[i].PartNumber);
            Assert.Equal(i * plan.PartSize, plan.Parts[i].Offset);
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    [InlineData(50L * 1024 * MiB + 1)]
    public void SizesOutOfRangeHaveNoPlan(long size) => Assert.Null(_planner.Plan(size));
}
