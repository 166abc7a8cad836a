using Ipto.Common;
using Ipto.Grains.Identity;
using Ipto.Grains.Tenants;
using Ipto.Grains.Tests.Support;
using Ipto.Identity;
using Ipto.Tenants;
using Ipto.Testing;

namespace Ipto.Grains.Tests.Tenants;

public sealed class InvitationRetentionGrainTests
{
    private static readonly string TenantId = Ids.New(IdPrefixes.Tenant);
    private static readonly Caller Owner = new(TenantId, "usr_owner", PrincipalTypes.User, [], false);
    private static readonly Dictionary<string, string?> DropAtOnce = new() { ["Ipto:Tenants:InvitationRetention"] = "00:00:00" };

    private static Task<IssuedInvitation> InviteAsync(ITenantGrain tenant, string email) => tenant.Invite(Owner,
        new NewInvitation(email, ["viewer"]));

    private static async Task<string[]> ListedEmails(IGrainFactory grains) =>
        (await grains.GetGrain<ITenantGrain>(TenantId).ListInvitations(Owner)).Select(i => i.Email).Order().ToArray();

    [Fact]
    public async Task AnEndedInvitationPastItsRetentionIsDroppedFromStoredStateAtTheNextWrite()
    {
        using var dir = new TempDir();
        await using (var cluster = await EmbeddedCluster.StartAsync(dir.Path, settings: DropAtOnce))
        {
            var tenant = cluster.Client.GetGrain<ITenantGrain>(TenantId);
            await tenant.Create("Retention", new TenantMember(Owner.PrincipalId, "owner@example.com", "Owner", [Roles.Owner], DateTimeOffset.UtcNow));
            var revoked = await InviteAsync(tenant, "revoked@example.com");
            await InviteAsync(tenant, "pending@example.com");

            await tenant.RevokeInvitation(Owner, revoked.Invitation.InvitationId);

            Assert.Equal(["pending@example.com"], await ListedEmails(cluster.Client));
        }

        // Under the default retention the revoked invitation would be listed again, had the write not dropped it.
        await using var restarted = await EmbeddedCluster.StartAsync(dir.Path);
        Assert.Equal(["pending@example.com"], await ListedEmails(restarted.Client));
    }

    [Fact]
    public async Task AnEndedInvitationPastItsRetentionIsDroppedWhenTheTenantActivates()
    {
        using var dir = new TempDir();
        await using (var cluster = await EmbeddedCluster.StartAsync(dir.Path))
        {
            var tenant = cluster.Client.GetGrain<ITenantGrain>(TenantId);
            await tenant.Create("Retention", new TenantMember(Owner.PrincipalId, "owner@example.com", "Owner", [Roles.Owner], DateTimeOffset.UtcNow));
            var revoked = await InviteAsync(tenant, "revoked@example.com");
            await InviteAsync(tenant, "pending@example.com");
            await tenant.RevokeInvitation(Owner, revoked.Invitation.InvitationId);

            // Within the retention both are listed, the revoked one with its status.
            var listed = await tenant.ListInvitations(Owner);
            Assert.Equal(InvitationStatuses.Revoked, listed.Single(i => i.Email == "revoked@example.com").Status);
            Assert.Equal(InvitationStatuses.Pending, listed.Single(i => i.Email == "pending@example.com").Status);
        }

        await using (var pruning = await EmbeddedCluster.StartAsync(dir.Path, settings: DropAtOnce))
        {
            Assert.Equal(["pending@example.com"], await ListedEmails(pruning.Client));
        }

        await using var restarted = await EmbeddedCluster.StartAsync(dir.Path);
        Assert.Equal(["pending@example.com"], await ListedEmails(restarted.Client));
    }
}
