using System.Net;
using Ipto.Api.Tests.Support;
using Ipto.Integration.Tests.Support;

namespace Ipto.Integration.Tests.Cluster;

/// <summary>Two silo processes, two Api nodes in client role: credentials are grain state, so every node agrees at once.</summary>
public sealed class CrossNodeIdentityTests
{
    [SkippableFact]
    public async Task RevocationOnOneNodeIsSeenOnTheOtherImmediately()
    {
        await using var cluster = await TestClusterContext.CreateAsync();
        await using var a = SiloProcess.Start(cluster.Settings);
        await using var b = SiloProcess.Start(cluster.Settings);
        await cluster.WaitForActiveSilosAsync(2, a, b);

        var settings = cluster.Settings.For(0, 0);
        settings["Ipto:Api:Role"] = "client";
        await using var nodeA = new IptoApiFactory(Path.Combine(cluster.DataDir, "api-a"), settings, testCredentials: false);
        await using var nodeB = new IptoApiFactory(Path.Combine(cluster.DataDir, "api-b"), settings, testCredentials: false);

        var account = await nodeA.SignupAsync();
        using var ownerOnA = nodeA.WithBearer(account.SessionToken);
        using var ownerOnB = nodeB.WithBearer(account.SessionToken);
        await (await ownerOnB.GetAsync("/v1/me")).DataAsync();
        var (keyId, key) = await ownerOnA.CreateKeyAsync("datasets:read", "keys:write");
        using var agentOnB = nodeB.WithApiKey(key);
        await (await agentOnB.GetAsync("/v1/me")).DataAsync();
        Assert.Contains(keyId, (await (await ownerOnB.GetAsync("/v1/api-keys")).DataAsync()).ToString());

        await (await ownerOnA.DeleteAsync($"/v1/api-keys/{keyId}")).DataAsync();
        await (await agentOnB.GetAsync("/v1/me")).ErrorAsync(HttpStatusCode.Unauthorized, "unauthenticated");

        await (await ownerOnA.PostAsync("/v1/auth/logout", null)).DataAsync();
        await (await ownerOnB.GetAsync("/v1/me")).ErrorAsync(HttpStatusCode.Unauthorized, "unauthenticated");
    }
}
