using Ipto.ApiKeys;
using Ipto.Common;
using Ipto.Grains.Identity;
using Ipto.Grains.Tests.Support;
using Ipto.Identity;
using Ipto.Tenants;
using Ipto.Testing;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime;
using Orleans.Storage;

namespace Ipto.Grains.Tests.Identity;

[Collection(SharedClusterCollection.Name)]
public sealed class IdentityGrainTests(SharedCluster shared)
{
    private static SignupCommand Command(string email) => new(email, "password-123", "Ada", "Acme");

    // Addresses of their own: the cluster is shared with other tests.
    private static string NewEmail(string tag) => $"{tag}-{Guid.NewGuid():N}@example.com";

    [Fact]
    public async Task IdleSessionExpires()
    {
        using var dir = new TempDir();
        await using var cluster = await EmbeddedCluster.StartAsync(dir.Path, settings: new Dictionary<string, string?> { ["Ipto:Identity:SessionIdleTimeout"] = "00:00:01" });
        var email = cluster.Client.GetGrain<IEmailIndexGrain>("idle@example.com");
        var account = await email.Signup(Command("idle@example.com"));
        var (token, _) = await cluster.Client.GetGrain<IUserGrain>(account.UserId).OpenSession();
        var session = cluster.Client.GetGrain<ISessionGrain>(SecretTokens.Hash(token));

        Assert.NotNull(await session.Authenticate());
        var lastUse = DateTimeOffset.UtcNow;
        // Any call would count as use, so nothing touches the session while the idle second passes.
        await Eventually.Until(() => Task.FromResult(DateTimeOffset.UtcNow), now => now - lastUse > TimeSpan.FromSeconds(1.2), what: "the idle second");

        Assert.Null(await session.Authenticate());
    }

    [Fact]
    public async Task SessionEndsAtItsAbsoluteExpiryEvenWhenUsed()
    {
        using var dir = new TempDir();
        await using var cluster = await EmbeddedCluster.StartAsync(dir.Path, settings: new Dictionary<string, string?> { ["Ipto:Identity:SessionLifetime"] = "00:00:02" });
        var account = await cluster.Client.GetGrain<IEmailIndexGrain>("abs@example.com").Signup(Command("abs@example.com"));
        var (token, expiresAt) = await cluster.Client.GetGrain<IUserGrain>(account.UserId).OpenSession();
        var session = cluster.Client.GetGrain<ISessionGrain>(SecretTokens.Hash(token));

        await Eventually.Until(session.Authenticate, p => p is null, TimeSpan.FromSeconds(10), "the absolute expiry");

        Assert.True(DateTimeOffset.UtcNow >= expiresAt);
    }

    [Fact]
    public async Task RevokedSessionStaysRevokedAfterDeactivation()
    {
        var cluster = shared.Cluster;
        var address = NewEmail("rev");
        var account = await cluster.Client.GetGrain<IEmailIndexGrain>(address).Signup(Command(address));
        var (token, _) = await cluster.Client.GetGrain<IUserGrain>(account.UserId).OpenSession();
        var session = cluster.Client.GetGrain<ISessionGrain>(SecretTokens.Hash(token));

        await session.Revoke();
        await cluster.DeactivateAsync(session);

        Assert.Null(await session.Authenticate());
    }

    [Fact]
    public async Task ApiKeyExpiresAtItsExpiry()
    {
        var cluster = shared.Cluster;
        var (_, prefix, secret) = ApiKeyFormat.New();
        var key = cluster.Client.GetGrain<IApiKeyGrain>(prefix);
        var caller = new Caller("tnt_a", "usr_a", PrincipalTypes.User, [], false);
        await key.Create(new NewApiKey(Ids.New(IdPrefixes.ApiKey), "tnt_a", "usr_a", "short-lived", SecretTokens.Hash(secret), ["datasets:read"],
            DatasetAccessModes.AllAvailable, [], null, null, DateTimeOffset.UtcNow.AddSeconds(3)));

        Assert.NotNull(await key.Authenticate(secret));
        Assert.Null(await key.Authenticate(secret + "x"));
        await Eventually.Until(() => key.Authenticate(secret), p => p is null, TimeSpan.FromSeconds(15), "the key to expire");
        Assert.Equal(ApiKeyStatuses.Expired, (await key.Get(caller)).Status);
    }

    [Fact]
    public async Task ApiKeyIsInvisibleToAnotherTenant()
    {
        var cluster = shared.Cluster;
        var (_, prefix, secret) = ApiKeyFormat.New();
        var key = cluster.Client.GetGrain<IApiKeyGrain>(prefix);
        await key.Create(new NewApiKey(Ids.New(IdPrefixes.ApiKey), "tnt_a", "usr_a", "k", SecretTokens.Hash(secret), ["datasets:read"],
            DatasetAccessModes.AllAvailable, [], null, null, null));
        var stranger = new Caller("tnt_b", "usr_b", PrincipalTypes.User, ["keys:write"], false);

        Assert.Equal(ErrorCodes.NotFound, (await Assert.ThrowsAsync<IptoException>(() => key.Get(stranger))).Code);
        Assert.Equal(ErrorCodes.NotFound, (await Assert.ThrowsAsync<IptoException>(() => key.Revoke(stranger))).Code);
        Assert.NotNull(await key.Authenticate(secret));
    }

    [Fact]
    public async Task SignupInterruptedMidwayLeavesNothingBehindAndTheNextAttemptSucceeds()
    {
        var cluster = shared.Cluster;
        var address = NewEmail("crash");
        // What a crash after creating the tenant leaves: a pending reservation naming a tenant and a user never made.
        var orphanTenant = Ids.New(IdPrefixes.Tenant);
        var orphanUser = Ids.New(IdPrefixes.User);
        await cluster.Client.GetGrain<ITenantGrain>(orphanTenant).Create("Half", new TenantMember(orphanUser, address, "Ada", [Roles.Owner], DateTimeOffset.UtcNow));
        var storage = cluster.Silos[0].ServiceProvider.GetRequiredKeyedService<IGrainStorage>("ipto");
        await storage.WriteStateAsync("email", GrainId.Create("emailindex", address), new GrainState<EmailIndexState>(new EmailIndexState
        {
            Status = EmailIndexStatus.Pending, UserId = orphanUser, TenantId = orphanTenant, UpdatedAt = DateTimeOffset.UtcNow,
        }));
        var email = cluster.Client.GetGrain<IEmailIndexGrain>(address);

        Assert.Null(await email.FindUser());
        Assert.Equal(LoginOutcome.InvalidCredentials, (await email.Login("password-123")).Outcome);
        var account = await email.Signup(Command(address));

        Assert.Null(await cluster.Client.GetGrain<ITenantGrain>(orphanTenant).GetInternal());
        Assert.NotEqual(orphanTenant, account.TenantId);
        Assert.Equal(account.UserId, await email.FindUser());
        Assert.Equal(LoginOutcome.Success, (await email.Login("password-123")).Outcome);
    }
}
