using Ipto.Common;
using Ipto.Grains.Jobs;
using Ipto.Idempotency;
using Ipto.Integration.Tests.Support;
using Ipto.Jobs;
using Ipto.Testing;
using Ipto.Testing.Jobs;
using Microsoft.Extensions.Hosting;

namespace Ipto.Integration.Tests.Cluster;

/// <summary>Our PostgreSQL scripts under the real ADO.NET clustering, persistence and reminder providers.</summary>
public sealed class PostgresSiloTests
{
    private static void AddTestJobs(IServiceCollection services)
    {
        services.AddSingleton<IJobHandler, CountingJobHandler>();
        services.AddSingleton<IJobHandler, FlakyJobHandler>();
    }

    [SkippableFact]
    public async Task GrainStateSurvivesASiloRestart()
    {
        await using var cluster = await TestClusterContext.CreateAsync();
        var (database, settings) = (cluster.Database, cluster.Settings);
        var response = new StoredResponse(201, "application/json", "/v1/x", [7, 7, 7]);

        using (var first = await InProcessSilo.StartAsync(settings))
        {
            var grain = first.Services.GetRequiredService<IGrainFactory>().GetGrain<IIdempotencyGrain>("restart");
            var lease = await grain.Begin("fp", TimeSpan.FromMinutes(1));
            await grain.Complete(lease.LeaseId, response, TimeSpan.FromHours(1));
            await first.StopAsync();
        }

        Assert.Equal(1, await database.ScalarAsync<int>("SELECT count(*) FROM orleansstorage"));
        using var second = await InProcessSilo.StartAsync(settings);
        var replay = await second.Services.GetRequiredService<IGrainFactory>().GetGrain<IIdempotencyGrain>("restart").Begin("fp", TimeSpan.FromMinutes(1));

        Assert.Equal(IdempotencyOutcome.Replay, replay.Outcome);
        Assert.Equal(response.EncryptedBody, replay.Response!.EncryptedBody);
        await second.StopAsync();
    }

    [SkippableFact]
    public async Task ReminderReDrivesAFailedAttempt()
    {
        await using var cluster = await TestClusterContext.CreateAsync();
        var (database, settings) = (cluster.Database, cluster.Settings);
        using var silo = await InProcessSilo.StartAsync(settings, AddTestJobs);
        var jobId = Ids.New(IdPrefixes.Job);

        await silo.Services.GetRequiredService<IGrainFactory>().GetGrain<IJobGrain>(jobId).Start(new JobRequest("tnt_it", "test.flaky", ""));

        Assert.Equal(1, await database.ScalarAsync<int>("SELECT count(*) FROM orleansremindersTable"));
        var status = await Eventually.Until(() => database.ScalarAsync<string>($"SELECT status FROM jobs WHERE job_id = '{jobId}'"),
            s => s == JobStatuses.Succeeded, TimeSpan.FromSeconds(60), "the reminder to retry the job");
        Assert.Equal(JobStatuses.Succeeded, status);
        Assert.Equal(2, FlakyJobHandler.Attempts[jobId]);
        await Eventually.Until(() => database.ScalarAsync<int>("SELECT count(*) FROM orleansremindersTable"), n => n == 0, what: "the reminder to be removed");
        await silo.StopAsync();
    }

    [SkippableFact]
    public async Task JobInterruptedByASiloRestartResumesFromItsCheckpoint()
    {
        await using var cluster = await TestClusterContext.CreateAsync();
        var (database, settings) = (cluster.Database, cluster.Settings);
        var jobId = Ids.New(IdPrefixes.Job);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        CountingJobHandler.HoldBefore[jobId] = (3, release);

        using (var first = await InProcessSilo.StartAsync(settings, AddTestJobs))
        {
            var job = first.Services.GetRequiredService<IGrainFactory>().GetGrain<IJobGrain>(jobId);
            await job.Start(new JobRequest("tnt_it", "test.count", "4"));
            await Eventually.Until(async () => (await job.GetInternal())!.Progress.Completed, c => c == 2, what: "two steps");
            await first.StopAsync();
        }

        release.SetResult();
        using var second = await InProcessSilo.StartAsync(settings, AddTestJobs);

        var status = await Eventually.Until(() => database.ScalarAsync<string>($"SELECT status FROM jobs WHERE job_id = '{jobId}'"),
            s => s == JobStatuses.Succeeded, TimeSpan.FromSeconds(60), "the reminder to resume the job");
        Assert.Equal(JobStatuses.Succeeded, status);
        Assert.Equal([1, 2, 3, 4], CountingJobHandler.Executed[jobId]);
        await second.StopAsync();
    }
}
