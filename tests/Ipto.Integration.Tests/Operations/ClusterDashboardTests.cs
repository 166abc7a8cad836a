using System.Net;
using Ipto.Api.Tests.Support;
using Ipto.Integration.Tests.Support;
using Ipto.Testing;

namespace Ipto.Integration.Tests.Operations;

/// <summary>Cluster mode: a client-role Api serves the Orleans Dashboard (read from the silos) to platform admins only.</summary>
public sealed class ClusterDashboardTests
{
    private const string AdminEmail = "root@cluster.example";
    private const string AdminPassword = "cluster-admin-password";

    [SkippableFact]
    public async Task AClientRoleApiServesTheDashboardToPlatformAdminsOnly()
    {
        await using var cluster = await TestClusterContext.CreateAsync();
        await using var silo = SiloProcess.Start(cluster.Settings, new Dictionary<string, string>
        {
            ["Ipto__Bootstrap__AdminEmail"] = AdminEmail,
            ["Ipto__Bootstrap__AdminPassword"] = AdminPassword,
        });
        await cluster.WaitForActiveSilosAsync(1, silo);
        var settings = cluster.Settings.For(0, 0);
        settings["Ipto:Api:Role"] = "client";
        settings["Ipto:RateLimits:AuthPerIpPerMinute"] = "1000";
        await using var node = new IptoApiFactory(Path.Combine(cluster.DataDir, "api"), settings, testCredentials: false);

        // The silo creates the bootstrap admin as it turns active, so the first logins may be early.
        var login = await Eventually.Until(() => node.LoginAsync(AdminEmail, AdminPassword), r => r.StatusCode == HttpStatusCode.OK,
            TimeSpan.FromSeconds(30), "the bootstrap admin");
        using var admin = node.WithBearer((await login.DataAsync()).GetProperty("session_token").GetString()!);
        using var owner = node.WithBearer((await node.SignupAsync()).SessionToken);

        using var dashboard = await admin.GetAsync("/dashboard/");
        Assert.Equal(HttpStatusCode.OK, dashboard.StatusCode);
        Assert.Contains("text/html", dashboard.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
        await (await owner.GetAsync("/dashboard/")).ErrorAsync(HttpStatusCode.Forbidden, "forbidden");
    }
}
