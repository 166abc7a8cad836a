using Ipto.Common;
using Ipto.Grains.Tests.Support;
using Ipto.Jobs;
using Ipto.Testing;
using Ipto.Testing.Jobs;

namespace Ipto.Grains.Tests.Jobs;

public sealed class JobSweeperTests(JobSweeperTests.NoTicksCluster noTicks) : IClassFixture<JobSweeperTests.NoTicksCluster>
{
    private const string Tenant = "tnt_sweep";

    // The sweeper's own reminder stays out of the way: these tests call Sweep themselves, on one cluster they share.
    private static readonly Dictionary<string, string?> NoTicks = new() { ["Ipto:Jobs:ResumePeriod"] = "01:00:00" };

    public sealed class NoTicksCluster() : ClusterFixture(NoTicks);

    private static Task<long> RemindersOf(string dataDir, string jobId) =>
        ReadModel.CountAsync(dataDir, "SELECT count(*) FROM reminders WHERE grain_id LIKE '%' || $id", jobId);

    [Fact]
    public async Task AnUnfinishedJobNoSiloRunsIsResumedByTheSweeper()
    {
        var cluster = noTicks.Cluster;
        var jobId = Ids.New(IdPrefixes.Job);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        CountingJobHandler.HoldBefore[jobId] = (3, release);
        var job = cluster.Client.GetGrain<IJobGrain>(jobId);
        await job.Start(new JobRequest(Tenant, "test.count", "4"));
        await Eventually.Until(() => job.GetInternal(), j => j!.Progress.Completed == 2, what: "two steps");
        await cluster.DeactivateAsync(job);
        release.SetResult();
        Assert.Equal(JobStatuses.Running, await ReadModel.JobStatusAsync(noTicks.DataDir, jobId));

        var resumed = await cluster.Client.GetGrain<IJobSweeperGrain>(0).Sweep();

        Assert.True(resumed >= 1);
        var status = await Eventually.Until(() => ReadModel.JobStatusAsync(noTicks.DataDir, jobId), s => s is not null && JobStatuses.IsTerminal(s), what: "the resumed job");
        Assert.Equal(JobStatuses.Succeeded, status);
        Assert.Equal([1, 2, 3, 4], CountingJobHandler.Executed[jobId]);
    }

    [Fact]
    public async Task AJobHoldsNoReminderWhileRunningOrAfterItFinishes()
    {
        // A cluster of its own: it counts every reminder in the database.
        using var dir = new TempDir();
        await using var cluster = await EmbeddedCluster.StartAsync(dir.Path);
        var jobId = Ids.New(IdPrefixes.Job);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        CountingJobHandler.HoldBefore[jobId] = (2, release);
        var job = cluster.Client.GetGrain<IJobGrain>(jobId);
        await job.Start(new JobRequest(Tenant, "test.count", "2"));
        await Eventually.Until(() => job.GetInternal(), j => j!.Progress.Completed == 1, what: "the first step");

        Assert.Equal(0, await RemindersOf(dir.Path, jobId));
        release.SetResult();
        await Eventually.Until(() => job.GetInternal(), j => j!.Status == JobStatuses.Succeeded, what: "the job to finish");

        Assert.Equal(0, await RemindersOf(dir.Path, jobId));
        // The two sweepers' reminders are all there is.
        Assert.Equal(2, await ReadModel.CountAsync(dir.Path, "SELECT count(*) FROM reminders WHERE reminder_name = $id", "sweep"));
        Assert.Equal(0, await ReadModel.CountAsync(dir.Path, "SELECT count(*) FROM reminders WHERE reminder_name <> $id", "sweep"));
    }

    [Fact]
    public async Task AJobStartedBeforeTheSweeperDropsItsOwnReminder()
    {
        using var dir = new TempDir();
        var jobId = Ids.New(IdPrefixes.Job);
        GrainId grainId;
        await using (var first = await EmbeddedCluster.StartAsync(dir.Path))
        {
            var job = first.Client.GetGrain<IJobGrain>(jobId);
            await job.Start(new JobRequest(Tenant, "test.count", "1"));
            await Eventually.Until(() => job.GetInternal(), j => j!.Status == JobStatuses.Succeeded, what: "the job to finish");
            grainId = job.GetGrainId();
        }

        // What a job started by an earlier version left in the reminder table.
        await ReadModel.ExecuteAsync(dir.Path, $"""
            INSERT INTO reminders (grain_id, reminder_name, grain_hash, start_at_ms, period_ms, etag)
            VALUES ('{grainId}', 'resume', {grainId.GetUniformHashCode()}, {DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()}, 1000, 1)
            """);
        await using var second = await EmbeddedCluster.StartAsync(dir.Path);

        await Eventually.Until(() => RemindersOf(dir.Path, jobId), n => n == 0, what: "the old reminder to be dropped");
    }

    [Fact]
    public async Task ARowLeftByAStartThatNeverWroteItsJobIsRemoved()
    {
        var cluster = noTicks.Cluster;
        var jobId = Ids.New(IdPrefixes.Job);
        await ReadModel.ExecuteAsync(noTicks.DataDir, $"""
            INSERT INTO jobs (job_id, tenant_id, type, status, version, created_at, updated_at)
            VALUES ('{jobId}', '{Tenant}', 'test.count', 'queued', 0, '2020-01-01 00:00:00+00:00', '2020-01-01 00:00:00+00:00')
            """);

        await cluster.Client.GetGrain<IJobSweeperGrain>(0).Sweep();

        Assert.Null(await ReadModel.JobStatusAsync(noTicks.DataDir, jobId));
    }
}
