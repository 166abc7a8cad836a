using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Ipto.Api.Tests.Search;
using Ipto.Api.Tests.Support;
using Ipto.Integration.Tests.Support;
using Ipto.Testing;
using Xunit.Abstractions;

namespace Ipto.Integration.Tests.Operations;

/// <summary>
/// The sample operator tool (<c>samples/Ipto.OperatorTool</c>) as a real process: it joins a PostgreSQL-membership
/// cluster through its gateway, lists the staged objects, approves one and makes an account a platform admin.
/// </summary>
public sealed class OperatorToolTests(ITestOutputHelper output)
{
    [SkippableFact]
    public async Task TheOperatorToolListsApprovesAndMakesAPlatformAdminThroughTheGateway()
    {
        await using var cluster = await TestClusterContext.CreateAsync();
        var settings = cluster.Settings.For(Ports.Free(), Ports.Free()); // a cohosted node: a silo with a gateway, and the Api
        foreach (var (name, value) in IdentityFixture.Settings) settings[name] = value;
        await using var api = new IptoApiFactory(cluster.DataDir, settings, testCredentials: false);
        var world = new SearchWorld(api);
        var (account, owner) = await world.AccountAsync("Provider");
        var datasetId = await SearchWorld.CreateDatasetAsync(owner, "Operator data", "listed");
        var objectId = await ReadyObjectAsync(api, owner, datasetId, "Bills of lading an operator approves.");

        var list = await RunToolAsync(cluster.Settings, "list-staged", "--operator", "integration-test");
        Assert.True(list.ExitCode == 0, list.ToString());
        Assert.Contains($"{objectId}\t{account.TenantId}\t{datasetId}\tready\t", list.Output, StringComparison.Ordinal);
        Assert.Contains("1 of 1 staged object(s)", list.Output, StringComparison.Ordinal);

        var approve = await RunToolAsync(cluster.Settings, "approve", objectId);
        Assert.True(approve.ExitCode == 0, approve.ToString());
        Assert.Contains($"approved {objectId} (review_state approved", approve.Output, StringComparison.Ordinal);
        await Eventually.Until(async () => (await (await owner.GetAsync($"/v1/objects/{objectId}")).DataAsync()).GetProperty("status").GetString(),
            s => s == "active", TimeSpan.FromSeconds(60), "the approved object to be active");
        var again = await RunToolAsync(cluster.Settings, "approve", objectId);
        Assert.Equal(1, again.ExitCode);
        Assert.Contains("error: ", again.Error, StringComparison.Ordinal);
        Assert.Contains("0 of 0 staged object(s)", (await RunToolAsync(cluster.Settings, "list-staged")).Output, StringComparison.Ordinal);

        await (await owner.GetAsync("/v1/admin/staged-objects")).ErrorAsync(HttpStatusCode.Forbidden, "forbidden");
        var makeAdmin = await RunToolAsync(cluster.Settings, "make-admin", account.Email);
        Assert.True(makeAdmin.ExitCode == 0, makeAdmin.ToString());
        Assert.Contains($"{account.UserId} is now a platform admin", makeAdmin.Output, StringComparison.Ordinal);
        var session = (await (await api.LoginAsync(account.Email, account.Password)).DataAsync()).GetProperty("session_token").GetString()!;
        using var admin = api.WithBearer(session);
        Assert.True((await (await admin.GetAsync("/v1/me")).DataAsync()).GetProperty("is_platform_admin").GetBoolean());
        await (await admin.GetAsync("/v1/admin/staged-objects")).DataAsync();

        var rebuild = await RunToolAsync(cluster.Settings, "rebuild-rollups");
        Assert.True(rebuild.ExitCode == 0, rebuild.ToString());
        Assert.Contains("ledger rollups rebuilt from the events", rebuild.Output, StringComparison.Ordinal);

        var unknown = await RunToolAsync(cluster.Settings, "make-admin", "nobody@example.com");
        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains("not_found", unknown.Error, StringComparison.Ordinal);
    }

    private static async Task<string> ReadyObjectAsync(IptoApiFactory api, HttpClient owner, string datasetId, string text)
    {
        using var store = api.CreateClient();
        var objectId = (await owner.UploadAsync(store, datasetId, "lading.txt", "text/plain", Encoding.UTF8.GetBytes(text))).ObjectId;
        await owner.WaitForStatusAsync(objectId, "ready");
        return objectId;
    }

    private sealed record ToolRun(int ExitCode, string Output, string Error)
    {
        public override string ToString() => $"exit {ExitCode}\nstdout:\n{Output}\nstderr:\n{Error}";
    }

    /// <summary>
    /// The tool's own build output (this project references it so that it is built): run from there, with its deps and
    /// runtime config, since the tool is a plain console app and this test project runs on the ASP.NET Core framework.
    /// </summary>
    private static string ToolDll()
    {
        var baseDir = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var (tfm, configuration) = (baseDir.Name, baseDir.Parent!.Name); // …/bin/<configuration>/<tfm>
        for (var dir = baseDir; dir is not null; dir = dir.Parent)
        {
            var dll = Path.Combine(dir.FullName, "samples", "Ipto.OperatorTool", "bin", configuration, tfm, "Ipto.OperatorTool.dll");
            if (File.Exists(dll)) return dll;
        }

        throw new FileNotFoundException("Ipto.OperatorTool.dll: build samples/Ipto.OperatorTool first.");
    }

    /// <summary>Runs <c>dotnet Ipto.OperatorTool.dll …</c> with the cluster's settings in its environment, as an operator would.</summary>
    private async Task<ToolRun> RunToolAsync(ClusterSettings cluster, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet", [ToolDll(), .. args])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("Ipto__", StringComparison.Ordinal)).ToArray())
            start.Environment.Remove(name);
        start.Environment["Ipto__Postgres__ConnectionString"] = cluster.ConnectionString;
        start.Environment["Ipto__Cluster__ClusterId"] = cluster.ClusterId;
        start.Environment["Ipto__Cluster__ServiceId"] = cluster.ClusterId;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"the operator tool did not finish: {string.Join(' ', args)}");
        }

        var run = new ToolRun(process.ExitCode, await stdout, await stderr);
        output.WriteLine($"$ ipto-operator {string.Join(' ', args)}\n{run}");
        return run;
    }
}
