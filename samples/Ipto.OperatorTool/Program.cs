using System.CommandLine;
using System.Globalization;
using Ipto.Common;
using Ipto.Objects;
using Ipto.Operations;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Orleans.Configuration;

// Settings come from the environment, as for the silo and the Api: Ipto__Postgres__ConnectionString (the cluster's
// membership database), Ipto__Cluster__ClusterId and Ipto__Cluster__ServiceId.
var operatorOption = new Option<string>("--operator")
{
    Description = "Who runs the tool (recorded in the silo log); defaults to the OS user.",
    DefaultValueFactory = _ => Environment.UserName,
    Recursive = true,
};
var limitOption = new Option<int>("--limit") { Description = "At most this many objects (default 100).", DefaultValueFactory = _ => 100 };
var tenantOption = new Option<string?>("--tenant") { Description = "Only objects of this tenant id." };
var datasetOption = new Option<string?>("--dataset") { Description = "Only objects of this dataset id." };
var objectArgument = new Argument<string>("object_id") { Description = "The staged object to approve (obj_…)." };
var emailArgument = new Argument<string>("email") { Description = "The account's email address." };
var revokeOption = new Option<bool>("--revoke") { Description = "Withdraw platform admin instead of granting it." };

var listStaged = new Command("list-staged", "List the objects waiting for review, oldest id first.") { limitOption, tenantOption, datasetOption };
listStaged.SetAction((parse, cancel) => Operator.RunAsync(parse.GetValue(operatorOption)!, async (grains, caller, output) =>
{
    var limit = parse.GetValue(limitOption);
    if (limit < 1) throw new IptoException(ErrorCodes.InvalidRequest, "--limit must be at least 1.");
    string? cursor = null;
    var shown = 0;
    long total = 0;
    await output.WriteLineAsync("object_id\ttenant_id\tdataset_id\tstatus\tsize_bytes\tfilename");
    while (shown < limit)
    {
        var want = Math.Min(PageRequest.MaxLimit, limit - shown);
        var page = await grains.GetGrain<IReviewQueueGrain>(0).List(caller,
            new ReviewQueueFilter(ReviewStates.Staged, parse.GetValue(tenantOption), parse.GetValue(datasetOption)), new PageRequest(want, cursor));
        total = page.Total ?? 0;
        foreach (var item in page.Items)
        {
            var o = item.Object;
            await output.WriteLineAsync(string.Join('\t', o.ObjectId, o.TenantId, o.DatasetId, o.Status, o.SizeBytes.ToString(CultureInfo.InvariantCulture), o.Filename));
        }

        shown += page.Items.Count;
        if (!page.HasMore) break;
        cursor = page.NextCursor;
    }

    await output.WriteLineAsync($"{shown} of {total} staged object(s)");
}, cancel));

var approve = new Command("approve", "Approve a ready, staged object: it is ingested and becomes searchable.") { objectArgument };
approve.SetAction((parse, cancel) => Operator.RunAsync(parse.GetValue(operatorOption)!, async (grains, caller, output) =>
{
    var objectId = parse.GetValue(objectArgument)!;
    var (obj, jobId) = await grains.GetGrain<IReviewQueueGrain>(0).Approve(caller, null, objectId);
    await output.WriteLineAsync($"approved {obj.ObjectId} (review_state {obj.ReviewState}, status {obj.Status}); ingestion job {jobId}");
}, cancel));

var makeAdmin = new Command("make-admin", "Grant platform admin to an existing account (its open sessions end; it logs in again).") { emailArgument, revokeOption };
makeAdmin.SetAction((parse, cancel) => Operator.RunAsync(parse.GetValue(operatorOption)!, async (grains, caller, output) =>
{
    var revoke = parse.GetValue(revokeOption);
    var userId = await grains.GetGrain<IOperatorGrain>(0).SetPlatformAdmin(caller, parse.GetValue(emailArgument)!, !revoke);
    await output.WriteLineAsync(revoke ? $"{userId} is no longer a platform admin" : $"{userId} is now a platform admin");
}, cancel));

var rebuildRollups = new Command("rebuild-rollups", "Rebuild the ledger's rollups (daily spend, provider analytics) from its events (charges go on meanwhile).");
rebuildRollups.SetAction((parse, cancel) => Operator.RunAsync(parse.GetValue(operatorOption)!, async (grains, caller, output) =>
{
    await grains.GetGrain<IOperatorGrain>(0).RebuildLedgerRollups(caller);
    await output.WriteLineAsync("ledger rollups rebuilt from the events");
}, cancel));

var root = new RootCommand("IPTO operator tool: joins a running cluster as an Orleans client and calls its grains as an operator.")
{
    operatorOption, listStaged, approve, makeAdmin, rebuildRollups,
};
return await root.Parse(args).InvokeAsync();

internal static class Operator
{
    /// <summary>Joins the cluster, runs <paramref name="action"/> with an operator caller, leaves. Exit codes: 0 done, 1 refused, 2 no cluster.</summary>
    public static async Task<int> RunAsync(string operatorName, Func<IClusterClient, Caller, TextWriter, Task> action, CancellationToken cancellationToken)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddEnvironmentVariables();
        var connectionString = builder.Configuration["Ipto:Postgres:ConnectionString"];
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            await Console.Error.WriteLineAsync("error: set Ipto__Postgres__ConnectionString (the cluster's membership database).");
            return 2;
        }

        builder.Logging.AddSimpleConsole().SetMinimumLevel(LogLevel.Warning).AddFilter("Orleans", LogLevel.Error);
        builder.Services.Configure<ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace); // stdout is the tool's output
        builder.UseOrleansClient(client =>
        {
            client.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = builder.Configuration["Ipto:Cluster:ClusterId"] ?? "ipto";
                o.ServiceId = builder.Configuration["Ipto:Cluster:ServiceId"] ?? "ipto";
            });
            client.UseAdoNetClustering(o =>
            {
                o.Invariant = "Npgsql";
                o.ConnectionString = connectionString;
            });
        });

        using var host = builder.Build();
        try
        {
            await host.StartAsync(cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            await Console.Error.WriteLineAsync($"error: could not join the cluster: {e.Message}");
            return 2;
        }

        try
        {
            await action(host.Services.GetRequiredService<IClusterClient>(), Caller.Operator(operatorName), Console.Out);
            return 0;
        }
        catch (IptoException e)
        {
            await Console.Error.WriteLineAsync($"error: {e.Code}: {e.Message}");
            return 1;
        }
        finally
        {
            await host.StopAsync(CancellationToken.None);
        }
    }
}
