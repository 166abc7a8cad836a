using Ipto.Grains.Tenants;
using Ipto.Tenants;

namespace Ipto.Domain.Tests.Tenants;

public sealed class InvitationRetentionTests
{
    private static readonly DateTimeOffset Created = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Expires = Created.AddDays(7);
    private static readonly TimeSpan Retention = TimeSpan.FromDays(30);

    private static InvitationState Invitation(string status = InvitationStatuses.Pending, DateTimeOffset? endedAt = null) => new()
    {
        InvitationId = "inv_" + Guid.NewGuid().ToString("N"),
        CreatedAt = Created,
        ExpiresAt = Expires,
        Status = status,
        EndedAt = endedAt,
    };

    [Fact]
    public void APendingInvitationIsKeptUntilItExpires()
    {
        var pending = Invitation();

        Assert.False(InvitationRetention.IsDue(pending, Expires.AddTicks(-1), TimeSpan.Zero));
        Assert.Null(InvitationRetention.EndedAt(pending, Expires.AddTicks(-1)));
    }

    [Fact]
    public void AnExpiredInvitationIsDueOneRetentionAfterItsExpiry()
    {
        var expired = Invitation();

        Assert.Equal(Expires, InvitationRetention.EndedAt(expired, Expires));
        Assert.False(InvitationRetention.IsDue(expired, Expires + Retention - TimeSpan.FromTicks(1), Retention));
        Assert.True(InvitationRetention.IsDue(expired, Expires + Retention, Retention));
    }

    [Theory]
    [InlineData(InvitationStatuses.Accepted)]
    [InlineData(InvitationStatuses.Revoked)]
    public void AnAcceptedOrRevokedInvitationIsDueOneRetentionAfterItEnded(string status)
    {
        var endedAt = Created.AddDays(1);
        var ended = Invitation(status, endedAt);

        Assert.False(InvitationRetention.IsDue(ended, endedAt + Retention - TimeSpan.FromTicks(1), Retention));
        Assert.True(InvitationRetention.IsDue(ended, endedAt + Retention, Retention));
    }

    [Theory]
    [InlineData(InvitationStatuses.Accepted)]
    [InlineData(InvitationStatuses.Revoked)]
    public void AnInvitationThatEndedBeforeEndTimesWereRecordedCountsFromItsExpiry(string status)
    {
        var ended = Invitation(status);

        Assert.Equal(Expires, InvitationRetention.EndedAt(ended, Created.AddDays(2)));
        Assert.False(InvitationRetention.IsDue(ended, Expires + Retention - TimeSpan.FromTicks(1), Retention));
        Assert.True(InvitationRetention.IsDue(ended, Expires + Retention, Retention));
    }

    [Fact]
    public void AHugeRetentionKeepsEverything()
    {
        Assert.False(InvitationRetention.IsDue(Invitation(InvitationStatuses.Revoked, Created), DateTimeOffset.MaxValue, TimeSpan.MaxValue));
    }

    [Fact]
    public void PruneRemovesOnlyTheInvitationsThatAreDue()
    {
        var now = Expires + Retention;
        var pending = Invitation();
        pending.ExpiresAt = now.AddDays(1);
        var dueRevoked = Invitation(InvitationStatuses.Revoked, Created);
        var recentAccepted = Invitation(InvitationStatuses.Accepted, now.AddDays(-1));
        var dueExpired = Invitation();
        var invitations = new List<InvitationState> { pending, dueRevoked, recentAccepted, dueExpired };

        Assert.True(InvitationRetention.Prune(invitations, now, Retention));
        Assert.Equal([pending, recentAccepted], invitations);
        Assert.False(InvitationRetention.Prune(invitations, now, Retention));
    }
}
