using Ipto.Grains.Objects;
using Ipto.Objects;

namespace Ipto.Domain.Tests.Objects;

public sealed class ObjectTransitionsTests
{
    private static readonly HashSet<(string From, string To, ObjectActor Actor)> AllowedStatus =
    [
        ("pending_upload", "processing", ObjectActor.System),
        ("processing", "ready", ObjectActor.System),
        ("indexing", "active", ObjectActor.System),
        ("pending_upload", "failed", ObjectActor.System),
        ("processing", "failed", ObjectActor.System),
        ("processing", "expired", ObjectActor.System),
        ("ready", "expired", ObjectActor.System),
        ("failed", "expired", ObjectActor.System),
        ("pending_upload", "deleted", ObjectActor.System),
        ("processing", "deleted", ObjectActor.System),
        ("ready", "deleted", ObjectActor.System),
        ("indexing", "deleted", ObjectActor.System),
        ("active", "deleted", ObjectActor.System),
        ("failed", "deleted", ObjectActor.System),
        ("cancelled", "deleted", ObjectActor.System),
        ("rejected", "deleted", ObjectActor.System),
        ("expired", "deleted", ObjectActor.System),
        ("pending_upload", "cancelled", ObjectActor.Owner),
        ("pending_upload", "deleted", ObjectActor.Owner),
        ("processing", "deleted", ObjectActor.Owner),
        ("ready", "deleted", ObjectActor.Owner),
        ("indexing", "deleted", ObjectActor.Owner),
        ("active", "deleted", ObjectActor.Owner),
        ("failed", "deleted", ObjectActor.Owner),
        ("cancelled", "deleted", ObjectActor.Owner),
        ("rejected", "deleted", ObjectActor.Owner),
        ("expired", "deleted", ObjectActor.Owner),
        ("ready", "indexing", ObjectActor.PlatformAdmin),
        ("ready", "rejected", ObjectActor.PlatformAdmin),
        ("processing", "rejected", ObjectActor.PlatformAdmin),
        ("failed", "rejected", ObjectActor.PlatformAdmin),
    ];

    private static readonly HashSet<(string? From, string To, ObjectActor Actor)> AllowedReview =
    [
        (null, "staged", ObjectActor.System),
        ("staged", "expired", ObjectActor.System),
        ("staged", "approved", ObjectActor.PlatformAdmin),
        ("staged", "rejected", ObjectActor.PlatformAdmin),
    ];

    private static readonly string[] Statuses =
        ["pending_upload", "processing", "ready", "indexing", "active", "failed", "cancelled", "rejected", "expired", "deleted"];

    private static readonly string?[] ReviewStatesAndNone = [null, "staged", "approved", "rejected", "expired"];

    public static TheoryData<string, string, ObjectActor> EveryStatusPair()
    {
        var data = new TheoryData<string, string, ObjectActor>();
        foreach (var from in Statuses)
        foreach (var to in Statuses)
        foreach (var actor in Enum.GetValues<ObjectActor>())
            data.Add(from, to, actor);
        return data;
    }

    public static TheoryData<string?, string, ObjectActor> EveryReviewPair()
    {
        var data = new TheoryData<string?, string, ObjectActor>();
        foreach (var from in ReviewStatesAndNone)
        foreach (var to in ReviewStatesAndNone.OfType<string>())
        foreach (var actor in Enum.GetValues<ObjectActor>())
            data.Add(from, to, actor);
        return data;
    }

    [Fact]
    public void TheTablesCoverEveryDeclaredState()
    {
        Assert.Equal(Statuses, ObjectStatuses.All);
        Assert.Equal(ReviewStatesAndNone.OfType<string>(), ReviewStates.All);
    }

    [Theory]
    [MemberData(nameof(EveryStatusPair))]
    public void OnlyTheSpecStatusTransitionsAreAllowed(string from, string to, ObjectActor actor) =>
        Assert.Equal(AllowedStatus.Contains((from, to, actor)), ObjectTransitions.IsAllowed(from, to, actor));

    [Theory]
    [MemberData(nameof(EveryReviewPair))]
    public void OnlyTheSpecReviewTransitionsAreAllowed(string? from, string to, ObjectActor actor) =>
        Assert.Equal(AllowedReview.Contains((from, to, actor)), ObjectTransitions.IsReviewAllowed(from, to, actor));

    [Fact]
    public void OnlyObjectsWhoseBytesAreCompleteAndKeptMayBeDownloaded()
    {
        string[] kept = [ObjectStatuses.Processing, ObjectStatuses.Ready, ObjectStatuses.Indexing, ObjectStatuses.Active];
        foreach (var status in ObjectStatuses.All) Assert.Equal(kept.Contains(status), ObjectTransitions.KeepsBytes(status));
    }
}
