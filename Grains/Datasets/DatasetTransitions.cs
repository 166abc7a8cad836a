using Ipto.Datasets;
using Ipto.Objects;

namespace Ipto.Grains.Datasets;

/// <summary>Who asks for a status change.</summary>
public enum DatasetActor
{
    Owner = 0,
    PlatformAdmin = 1,
    System = 2,
}

/// <summary>
/// The dataset status machine of SPEC §4/§12 as a pure function. System: draft → ingesting → active, and
/// pending_deletion → deleted. Owner: active ⇄ paused, and any live state → pending_deletion (DELETE). Platform
/// admin: any live state → suspended, and unsuspend back to the state before suspension. Everything else is refused.
/// </summary>
public static class DatasetTransitions
{
    public static bool IsAllowed(string from, string to, DatasetActor actor) => actor switch
    {
        DatasetActor.System => (from, to) is (DatasetStatuses.Draft, DatasetStatuses.Ingesting)
            or (DatasetStatuses.Ingesting, DatasetStatuses.Active)
            or (DatasetStatuses.PendingDeletion, DatasetStatuses.Deleted),
        DatasetActor.Owner => (from, to) is (DatasetStatuses.Active, DatasetStatuses.Paused) or (DatasetStatuses.Paused, DatasetStatuses.Active)
            || (to == DatasetStatuses.PendingDeletion && DatasetStatuses.IsLive(from)),
        DatasetActor.PlatformAdmin => (to == DatasetStatuses.Suspended && DatasetStatuses.IsLive(from) && from != DatasetStatuses.Suspended)
            || (to == DatasetStatuses.PendingDeletion && DatasetStatuses.IsLive(from)),
        _ => false,
    };

    /// <summary>
    /// Where one of its objects moves the dataset (as the system): an approved object starts ingesting, an active one
    /// makes an ingesting dataset active; both steps in one change when the dataset missed the approval.
    /// </summary>
    public static string AfterObjectChange(string from, ObjectFootprint after)
    {
        var status = from;
        if (after.ReviewState == ReviewStates.Approved && IsAllowed(status, DatasetStatuses.Ingesting, DatasetActor.System))
            status = DatasetStatuses.Ingesting;
        if (after.Status == ObjectStatuses.Active && IsAllowed(status, DatasetStatuses.Active, DatasetActor.System))
            status = DatasetStatuses.Active;
        return status;
    }

    /// <summary>Where unsuspend leads: the state the dataset had before it was suspended.</summary>
    public static bool CanUnsuspend(string from, string? before) =>
        from == DatasetStatuses.Suspended && before is not null && DatasetStatuses.IsLive(before) && before != DatasetStatuses.Suspended;
}
