using Ipto.Common;
using Ipto.Grains.Tests.Support;
using Ipto.Testing;
using Ipto.Testing.Jobs;
using Ipto.Jobs;

namespace Ipto.Grains.Tests.Jobs;

[Collection(SharedClusterCollection.Name)]
public sealed class JobGrainTests(SharedCluster shared)
{
    private static readonly Caller Owner = new("tnt_owner", "usr_owner", "user", [], false);
    private static readonly Caller Stranger = new("tnt_other", "usr_other", "user", [], false);
    private static readonly Caller PlatformAdmin = new("tnt_platform", "usr_admin", "user", ["admin:*"], true);

    [Fact]
    public async Task JobRunsToSuccessWithProgressAndResult()
    {
        var cluster = shared.Cluster;
        var jobId = Ids.New(IdPrefixes.Job);
        var job = cluster.Client.GetGrain<IJobGrain>(jobId);

        var started = await job.Start(new JobRequest(Owner.TenantId, "test.count", "3"));
        Assert.Equal(jobId, started.JobId);

        var done = await Eventually.Until(() => job.Get(Owner), j => JobStatuses.IsTerminal(j.Status), what: "the job to finish");
        Assert.Equal(JobStatuses.Succeeded, done.Status);
        Assert.Equal(new JobProgress(3, 3), done.Progress);
        Assert.Equal("{\"counted\":3}", done.Result);
        Assert.Null(done.Error);
        Assert.Equal([1, 2, 3], CountingJobHandler.Executed[jobId]);
    }

    [Fact]
    public async Task StartingTwiceReturnsTheSameJob()
    {
        var cluster = shared.Cluster;
        var jobId = Ids.New(IdPrefixes.Job);
        var job = cluster.Client.GetGrain<IJobGrain>(jobId);

        var first = await job.Start(new JobRequest(Owner.TenantId, "test.count", "2"));
        var second = await job.Start(new JobRequest(Owner.TenantId, "test.count", "2"));

        Assert.Equal(first.CreatedAt, second.CreatedAt);
        await Eventually.Until(() => job.Get(Owner), j => j.Status == JobStatuses.Succeeded);
        Assert.Equal([1, 2], CountingJobHandler.Executed[jobId]);
    }

    [Fact]
    public async Task AnotherTenantGetsNotFoundAndAPlatformAdminSeesIt()
    {
        var cluster = shared.Cluster;
        var job = cluster.Client.GetGrain<IJobGrain>(Ids.New(IdPrefixes.Job));
        await job.Start(new JobRequest(Owner.TenantId, "test.count", "1"));

        var error = await Assert.ThrowsAsync<IptoException>(() => job.Get(Stranger));
        Assert.Equal(ErrorCodes.NotFound, error.Code);
        Assert.Equal(Owner.TenantId, (await job.Get(PlatformAdmin)).TenantId);
    }

    [Fact]
    public async Task UnknownJobIsNotFound()
    {
        var cluster = shared.Cluster;

        var error = await Assert.ThrowsAsync<IptoException>(() => cluster.Client.GetGrain<IJobGrain>(Ids.New(IdPrefixes.Job)).Get(Owner));

        Assert.Equal(ErrorCodes.NotFound, error.Code);
    }

    [Fact]
    public async Task HandlerRefusalFailsTheJobWithItsReason()
    {
        var cluster = shared.Cluster;
        var job = cluster.Client.GetGrain<IJobGrain>(Ids.New(IdPrefixes.Job));
        await job.Start(new JobRequest(Owner.TenantId, "test.fail", ""));

        var done = await Eventually.Until(() => job.Get(Owner), j => JobStatuses.IsTerminal(j.Status));

        Assert.Equal(JobStatuses.Failed, done.Status);
        Assert.Equal("the input was rejected", done.Error);
    }

    [Fact]
    public async Task UnknownJobTypeFails()
    {
        var cluster = shared.Cluster;
        var job = cluster.Client.GetGrain<IJobGrain>(Ids.New(IdPrefixes.Job));
        await job.Start(new JobRequest(Owner.TenantId, "no.such.type", ""));

        var done = await Eventually.Until(() => job.Get(Owner), j => JobStatuses.IsTerminal(j.Status));

        Assert.Equal(JobStatuses.Failed, done.Status);
        Assert.Contains("no.such.type", done.Error);
    }

    [Fact]
    public async Task UnexpectedErrorIsRetriedByTheReminder()
    {
        var cluster = shared.Cluster;
        var jobId = Ids.New(IdPrefixes.Job);
        var job = cluster.Client.GetGrain<IJobGrain>(jobId);
        await job.Start(new JobRequest(Owner.TenantId, "test.flaky", ""));

        var done = await Eventually.Until(() => job.Get(Owner), j => JobStatuses.IsTerminal(j.Status), what: "the reminder to retry the job");

        Assert.Equal(JobStatuses.Succeeded, done.Status);
        Assert.Equal(2, FlakyJobHandler.Attempts[jobId]);
        Assert.Equal(2, done.Attempts);
    }

    [Fact]
    public async Task DeactivatedJobResumesFromItsCheckpoint()
    {
        var cluster = shared.Cluster;
        var jobId = Ids.New(IdPrefixes.Job);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        CountingJobHandler.HoldBefore[jobId] = (3, release);
        var job = cluster.Client.GetGrain<IJobGrain>(jobId);
        await job.Start(new JobRequest(Owner.TenantId, "test.count", "5"));
        await Eventually.Until(() => job.Get(Owner), j => j.Progress.Completed == 2, what: "two steps");

        await cluster.DeactivateAsync(job);
        release.SetResult();

        var done = await Eventually.Until(() => job.Get(Owner), j => JobStatuses.IsTerminal(j.Status), what: "the resumed job");
        Assert.Equal(JobStatuses.Succeeded, done.Status);
        Assert.Equal([1, 2, 3, 4, 5], CountingJobHandler.Executed[jobId]);
        Assert.Equal(2, done.Attempts);
    }

    [Fact]
    public async Task JobInterruptedByAClusterRestartResumesAfterIt()
    {
        using var dir = new TempDir();
        var jobId = Ids.New(IdPrefixes.Job);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        CountingJobHandler.HoldBefore[jobId] = (2, release);
        await using (var first = await EmbeddedCluster.StartAsync(dir.Path))
        {
            var job = first.Client.GetGrain<IJobGrain>(jobId);
            await job.Start(new JobRequest(Owner.TenantId, "test.count", "4"));
            await Eventually.Until(() => job.Get(Owner), j => j.Progress.Completed == 1, what: "the first step");
            await first.StopAllSilosAsync();
        }

        release.SetResult();
        await using var second = await EmbeddedCluster.StartAsync(dir.Path);

        // Nobody calls the job grain: the durable reminder re-activates it on the new silo; we watch the read model.
        var status = await Eventually.Until(() => ReadModel.JobStatusAsync(dir.Path, jobId),
            s => s is not null && JobStatuses.IsTerminal(s), what: "the reminder to resume the job");
        Assert.Equal(JobStatuses.Succeeded, status);
        Assert.Equal([1, 2, 3, 4], CountingJobHandler.Executed[jobId]);
    }
}
