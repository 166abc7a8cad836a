using Ipto.Common;
using Ipto.Grains.Jobs;
using Ipto.Idempotency;
using Ipto.Identity;
using Ipto.Integration.Tests.Support;
using Ipto.Jobs;
using Ipto.Tenants;
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
        var owner = new TenantMember("usr_it", "owner@example.com", "Owner", [Roles.Owner], DateTimeOffset.UtcNow);

        using (var first = await InProcessSilo.StartAsync(settings))
        {
            await first.Services.GetRequiredService<IGrainFactory>().GetGrain<ITenantGrain>("tnt_restart").Create("Restart", owner);
            await first.StopAsync();
        }

        Assert.Equal(1, await database.ScalarAsync<int>("SELECT count(*) FROM orleansstorage"));
        // Rows are typed by the state's name, which app/0008 relies on to drop the old 'idempotency' rows.
        Assert.Equal("tenant", await database.ScalarAsync<string>("SELECT graintypestring FROM orleansstorage"));
        using var second = await InProcessSilo.StartAsync(settings);
        var tenant = await second.Services.GetRequiredService<IGrainFactory>().GetGrain<ITenantGrain>("tnt_restart").GetInternal();

        Assert.Equal("Restart", tenant!.DisplayName);
        await second.StopAsync();
    }

    [SkippableFact]
    public async Task IdempotencyRecordsSurviveARestartAndOnlyExpiredOnesAreSwept()
    {
        await using var cluster = await TestClusterContext.CreateAsync();
        var (database, settings) = (cluster.Database, cluster.Settings);
        var response = new StoredResponse(201, "application/json", "/v1/x", [7, 7, 7]);
        var lease = TimeSpan.FromMinutes(1);
        IdempotencyDecision running;

        using (var first = await InProcessSilo.StartAsync(settings))
        {
            var grains = first.Services.GetRequiredService<IGrainFactory>();
            var kept = await grains.GetGrain<IIdempotencyGrain>("kept").Begin("fp", lease);
            await grains.GetGrain<IIdempotencyGrain>("kept").Complete(kept.LeaseId, response, TimeSpan.FromHours(1));
            var expired = await grains.GetGrain<IIdempotencyGrain>("expired").Begin("fp", lease);
            await grains.GetGrain<IIdempotencyGrain>("expired").Complete(expired.LeaseId, response, TimeSpan.FromMilliseconds(1));
            running = await grains.GetGrain<IIdempotencyGrain>("running").Begin("fp", lease);
            await first.StopAsync();
        }

        Assert.Equal(3, await database.ScalarAsync<int>("SELECT count(*) FROM idempotency_records"));
        Assert.Equal(0, await database.ScalarAsync<int>("SELECT count(*) FROM orleansstorage"));
        using var second = await InProcessSilo.StartAsync(settings);
        var again = second.Services.GetRequiredService<IGrainFactory>();
        await Eventually.Until(async () =>
        {
            await again.GetGrain<IIdempotencySweeperGrain>(0).Sweep();
            return await database.ScalarAsync<int>("SELECT count(*) FROM idempotency_records WHERE grain_key = 'expired'");
        }, n => n == 0, what: "the sweep of the expired record");

        var replay = await again.GetGrain<IIdempotencyGrain>("kept").Begin("fp", lease);
        Assert.Equal(IdempotencyOutcome.Replay, replay.Outcome);
        Assert.Equal(response.EncryptedBody, replay.Response!.EncryptedBody);
        var retry = await again.GetGrain<IIdempotencyGrain>("running").Begin("fp", lease);
        Assert.Equal(IdempotencyOutcome.Started, retry.Outcome);
        Assert.Equal(running.IdSeed!.FirstStartedAt, retry.IdSeed!.FirstStartedAt);
        Assert.Equal(running.IdSeed.Seed, retry.IdSeed.Seed);
        Assert.Equal(2, await database.ScalarAsync<int>("SELECT count(*) FROM idempotency_records"));
        await second.StopAsync();
    }

    [SkippableFact]
    public async Task TheJobSweeperReDrivesAFailedAttemptAndTheJobHoldsNoReminder()
    {
        await using var cluster = await TestClusterContext.CreateAsync();
        var (database, settings) = (cluster.Database, cluster.Settings);
        using var silo = await InProcessSilo.StartAsync(settings, AddTestJobs);
        var jobId = Ids.New(IdPrefixes.Job);

        await silo.Services.GetRequiredService<IGrainFactory>().GetGrain<IJobGrain>(jobId).Start(new JobRequest("tnt_it", "test.flaky", ""));

        var status = await Eventually.Until(() => database.ScalarAsync<string>($"SELECT status FROM jobs WHERE job_id = '{jobId}'"),
            s => s == JobStatuses.Succeeded, TimeSpan.FromSeconds(60), "the sweeper to retry the job");
        Assert.Equal(JobStatuses.Succeeded, status);
        Assert.Equal(2, FlakyJobHandler.Attempts[jobId]);
        Assert.Equal(0, await database.ScalarAsync<int>($"SELECT count(*) FROM orleansremindersTable WHERE grainid LIKE '%{jobId}'"));
        Assert.Equal(2, await database.ScalarAsync<int>("SELECT count(*) FROM orleansremindersTable WHERE remindername = 'sweep'"));
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
            s => s == JobStatuses.Succeeded, TimeSpan.FromSeconds(60), "the sweeper to resume the job");
        Assert.Equal(JobStatuses.Succeeded, status);
        Assert.Equal([1, 2, 3, 4], CountingJobHandler.Executed[jobId]);
        await second.StopAsync();
    }
}
