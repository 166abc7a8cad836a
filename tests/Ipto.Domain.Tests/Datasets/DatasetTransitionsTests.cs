using Ipto.Datasets;
using Ipto.Grains.Datasets;
using Ipto.Objects;

namespace Ipto.Domain.Tests.Datasets;

public sealed class DatasetTransitionsTests
{
    private static readonly HashSet<(string From, string To, DatasetActor Actor)> Allowed =
    [
        ("draft", "ingesting", DatasetActor.System),
        ("ingesting", "active", DatasetActor.System),
        ("pending_deletion", "deleted", DatasetActor.System),
        ("active", "paused", DatasetActor.Owner),
        ("paused", "active", DatasetActor.Owner),
        ("draft", "pending_deletion", DatasetActor.Owner),
        ("ingesting", "pending_deletion", DatasetActor.Owner),
        ("active", "pending_deletion", DatasetActor.Owner),
        ("paused", "pending_deletion", DatasetActor.Owner),
        ("suspended", "pending_deletion", DatasetActor.Owner),
        ("draft", "suspended", DatasetActor.PlatformAdmin),
        ("ingesting", "suspended", DatasetActor.PlatformAdmin),
        ("active", "suspended", DatasetActor.PlatformAdmin),
        ("paused", "suspended", DatasetActor.PlatformAdmin),
        ("draft", "pending_deletion", DatasetActor.PlatformAdmin),
        ("ingesting", "pending_deletion", DatasetActor.PlatformAdmin),
        ("active", "pending_deletion", DatasetActor.PlatformAdmin),
        ("paused", "pending_deletion", DatasetActor.PlatformAdmin),
        ("suspended", "pending_deletion", DatasetActor.PlatformAdmin),
    ];

    public static TheoryData<string, string, DatasetActor> EveryPair()
    {
        var data = new TheoryData<string, string, DatasetActor>();
        foreach (var from in DatasetStatuses.All)
        foreach (var to in DatasetStatuses.All)
        foreach (var actor in Enum.GetValues<DatasetActor>())
            data.Add(from, to, actor);
        return data;
    }

    [Theory]
    [MemberData(nameof(EveryPair))]
    public void OnlyTheSpecTransitionsAreAllowed(string from, string to, DatasetActor actor) =>
        Assert.Equal(Allowed.Contains((from, to, actor)), DatasetTransitions.IsAllowed(from, to, actor));

    // (dataset status, object status, object review state) → the dataset's new status; every other combination keeps it.
    private static readonly Dictionary<(string Dataset, string Object, string? Review), string> MovedByObject = new()
    {
        [("draft", "pending_upload", "approved")] = "ingesting",
        [("draft", "processing", "approved")] = "ingesting",
        [("draft", "ready", "approved")] = "ingesting",
        [("draft", "indexing", "approved")] = "ingesting",
        [("draft", "active", "approved")] = "active",
        [("draft", "failed", "approved")] = "ingesting",
        [("draft", "cancelled", "approved")] = "ingesting",
        [("draft", "rejected", "approved")] = "ingesting",
        [("draft", "expired", "approved")] = "ingesting",
        [("draft", "deleted", "approved")] = "ingesting",
        [("ingesting", "active", null)] = "active",
        [("ingesting", "active", "staged")] = "active",
        [("ingesting", "active", "approved")] = "active",
        [("ingesting", "active", "rejected")] = "active",
        [("ingesting", "active", "expired")] = "active",
    };

    public static TheoryData<string, string, string?> EveryObjectChange()
    {
        var data = new TheoryData<string, string, string?>();
        foreach (var dataset in DatasetStatuses.All)
        foreach (var status in ObjectStatuses.All)
        foreach (var review in ReviewStates.All.Prepend(null))
            data.Add(dataset, status, review);
        return data;
    }

    [Theory]
    [MemberData(nameof(EveryObjectChange))]
    public void AnObjectChangeMovesTheDatasetOnlyAsTheSpecSays(string dataset, string objectStatus, string? review)
    {
        var moved = DatasetTransitions.AfterObjectChange(dataset, new ObjectFootprint(objectStatus, review, 1));

        Assert.Equal(MovedByObject.GetValueOrDefault((dataset, objectStatus, review), dataset), moved);
    }

    [Theory]
    [InlineData("suspended", "active", true)]
    [InlineData("suspended", "paused", true)]
    [InlineData("suspended", "draft", true)]
    [InlineData("suspended", null, false)]
    [InlineData("active", "paused", false)]
    [InlineData("suspended", "deleted", false)]
    public void UnsuspendReturnsToTheStateBeforeSuspension(string from, string? before, bool allowed) =>
        Assert.Equal(allowed, DatasetTransitions.CanUnsuspend(from, before));
}
