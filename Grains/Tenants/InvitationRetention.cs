using Ipto.Tenants;

namespace Ipto.Grains.Tenants;

/// <summary>
/// Which invitations a tenant keeps: every pending one, and an accepted, revoked or expired one until the retention
/// has passed since it ended. So a tenant's state is bounded by its live invitations plus one retention's worth.
/// </summary>
public static class InvitationRetention
{
    /// <summary>When the invitation stopped being usable, or null while it is pending.</summary>
    public static DateTimeOffset? EndedAt(InvitationState invitation, DateTimeOffset now) => invitation.StatusAt(now) switch
    {
        InvitationStatuses.Pending => null,
        InvitationStatuses.Expired => invitation.ExpiresAt,
        // Accepted or revoked before EndedAt was recorded: it ended by ExpiresAt at the latest, so keeping it until then is never too short.
        _ => invitation.EndedAt ?? invitation.ExpiresAt,
    };

    public static bool IsDue(InvitationState invitation, DateTimeOffset now, TimeSpan retention) =>
        EndedAt(invitation, now) is { } ended && now - ended >= retention;

    /// <summary>Removes the invitations that are due; true if there were any.</summary>
    public static bool Prune(List<InvitationState> invitations, DateTimeOffset now, TimeSpan retention) =>
        invitations.RemoveAll(i => IsDue(i, now, retention)) > 0;
}
