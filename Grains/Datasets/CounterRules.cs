using Ipto.Datasets;

namespace Ipto.Grains.Datasets;

/// <summary>
/// What one object contributes to its dataset's counters; a change applies <c>after − before</c>. Cancelled and
/// deleted objects count for nothing; bytes count while a blob is stored.
/// </summary>
public static class CounterRules
{
    private static readonly HashSet<string> Gone = ["cancelled", "deleted"];
    private static readonly HashSet<string> Stored = ["processing", "ready", "indexing", "active"];

    public static DatasetCounters Contribution(ObjectFootprint? o)
    {
        if (o is null || Gone.Contains(o.Status)) return DatasetCounters.Zero;
        return new DatasetCounters(
            ObjectCount: 1,
            StagedCount: o.ReviewState == "staged" && o.Status is "processing" or "ready" ? 1 : 0,
            ApprovedCount: o.ReviewState == "approved" ? 1 : 0,
            RejectedCount: o.ReviewState == "rejected" ? 1 : 0,
            ActiveObjectCount: o.Status == "active" ? 1 : 0,
            StorageBytes: Stored.Contains(o.Status) ? o.SizeBytes : 0);
    }

    public static DatasetCounters Apply(DatasetCounters counters, ObjectChange change)
    {
        var before = Contribution(change.Before);
        var after = Contribution(change.After);
        return new DatasetCounters(
            counters.ObjectCount + after.ObjectCount - before.ObjectCount,
            counters.StagedCount + after.StagedCount - before.StagedCount,
            counters.ApprovedCount + after.ApprovedCount - before.ApprovedCount,
            counters.RejectedCount + after.RejectedCount - before.RejectedCount,
            counters.ActiveObjectCount + after.ActiveObjectCount - before.ActiveObjectCount,
            counters.StorageBytes + after.StorageBytes - before.StorageBytes);
    }
}
