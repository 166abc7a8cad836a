using Ipto.Objects;

namespace Ipto.Grains.Objects;

/// <summary>Who moves an object.</summary>
public enum ObjectActor
{
    /// <summary>The tenant that uploaded it: abort and delete.</summary>
    Owner = 0,

    /// <summary>Review: approve and reject.</summary>
    PlatformAdmin = 1,

    /// <summary>Upload verification, normalization, ingestion, review expiry and the dataset's deletion.</summary>
    System = 2,
}

/// <summary>
/// The object's two machines of SPEC §5/§6 as pure functions, on the status and on the review state.
/// Status, system: pending_upload → processing → ready, indexing → active, pending_upload | processing → failed,
/// processing | ready | failed → expired (the live states a staged object can be in), any → deleted (its dataset's
/// deletion). Owner: pending_upload → cancelled, any → deleted. Platform admin: ready → indexing (approve),
/// ready | processing | failed → rejected. Review, system: none → staged → expired; platform admin: staged → approved |
/// rejected. Everything else is refused; staying in a state is the caller's idempotence, not a transition.
/// </summary>
public static class ObjectTransitions
{
    public static bool IsAllowed(string from, string to, ObjectActor actor) => actor switch
    {
        ObjectActor.System => (from, to) is (ObjectStatuses.PendingUpload, ObjectStatuses.Processing)
                or (ObjectStatuses.Processing, ObjectStatuses.Ready)
                or (ObjectStatuses.Indexing, ObjectStatuses.Active)
                or (ObjectStatuses.PendingUpload or ObjectStatuses.Processing, ObjectStatuses.Failed)
                // A deleted object stays deleted: its review window ending later changes nothing.
                or (ObjectStatuses.Processing or ObjectStatuses.Ready or ObjectStatuses.Failed, ObjectStatuses.Expired)
            || IsDeletion(from, to),
        ObjectActor.Owner => (from, to) is (ObjectStatuses.PendingUpload, ObjectStatuses.Cancelled) || IsDeletion(from, to),
        ObjectActor.PlatformAdmin => (from, to) is (ObjectStatuses.Ready, ObjectStatuses.Indexing)
            or (ObjectStatuses.Ready or ObjectStatuses.Processing or ObjectStatuses.Failed, ObjectStatuses.Rejected),
        _ => false,
    };

    /// <summary>The review machine; <paramref name="from"/> is null before the upload completes.</summary>
    public static bool IsReviewAllowed(string? from, string to, ObjectActor actor) => actor switch
    {
        ObjectActor.System => (from, to) is (null, ReviewStates.Staged) or (ReviewStates.Staged, ReviewStates.Expired),
        ObjectActor.PlatformAdmin => (from, to) is (ReviewStates.Staged, ReviewStates.Approved) or (ReviewStates.Staged, ReviewStates.Rejected),
        _ => false,
    };

    /// <summary>Whether an object in <paramref name="status"/> has its uploaded bytes (complete, and not purged), so the owner may download them.</summary>
    public static bool KeepsBytes(string status) =>
        status is ObjectStatuses.Processing or ObjectStatuses.Ready or ObjectStatuses.Indexing or ObjectStatuses.Active;

    private static bool IsDeletion(string from, string to) => to == ObjectStatuses.Deleted && from != ObjectStatuses.Deleted;
}
