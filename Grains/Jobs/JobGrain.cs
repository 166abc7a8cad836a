using Ipto.Common;
using Ipto.Grains.Hosting;
using Ipto.Grains.Storage;
using Ipto.Jobs;
using Microsoft.Extensions.Logging;
using Orleans.Concurrency;

namespace Ipto.Grains.Jobs;

/// <summary>
/// Runs a job's handler inside the grain and records every step in grain state. The job sweeper re-drives an
/// unfinished job after a crash (it finds it in the read model): the handler resumes from its last checkpoint on
/// whichever silo activates the grain.
/// Reentrant so that reads are answered while the handler runs; state writes are serialised by a lock.
/// </summary>
[Reentrant]
public sealed class JobGrain(
    [PersistentState("job", StorageNames.Default)] IPersistentState<JobState> state,
    IEnumerable<IJobHandler> handlers,
    JobProjection projection,
    TimeProvider time,
    ILogger<JobGrain> logger) : Grain, IJobGrain, IRemindable
{
    /// <summary>The reminder every job held before the sweeper; a job that still has one drops it at its next tick.</summary>
    private const string LegacyResumeReminder = "resume";
    private const int MaxAttempts = 10;
    private static readonly TimeSpan KeepAliveWhileRunning = TimeSpan.FromMinutes(10);

    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly CancellationTokenSource _deactivating = new();
    private Task? _running;

    private string JobId => this.GetPrimaryKeyString();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (!state.RecordExists) return;
        await ProjectAsync();
        if (!JobStatuses.IsTerminal(state.State.Status)) EnsureRunning();
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        await _deactivating.CancelAsync();
        if (_running is not null)
            await Task.WhenAny(_running, Task.Delay(TimeSpan.FromSeconds(5), CancellationToken.None));
    }

    public async Task<JobSnapshot> Start(JobRequest request)
    {
        if (state.RecordExists)
        {
            if (state.State.TenantId != request.TenantId || state.State.Type != request.Type)
                throw new IptoException(ErrorCodes.Conflict, "A different job already uses this id.");
            return Snapshot();
        }

        var now = time.GetUtcNow();
        var job = new JobState
        {
            TenantId = request.TenantId,
            Type = request.Type,
            Input = request.Input,
            Status = JobStatuses.Queued,
            CreatedAt = now,
            UpdatedAt = now,
        };
        // The row (version 0) goes first: once the state is written the sweeper can find the job, whatever happens next.
        await projection.UpsertAsync(JobId, job);
        state.State = job;
        await SaveAsync(_ => { });
        EnsureRunning();
        return Snapshot();
    }

    public Task<JobSnapshot> Get(Caller caller)
    {
        if (!state.RecordExists || !caller.CanRead(state.State.TenantId))
            throw IptoException.NotFound("Job");
        return Task.FromResult(Snapshot());
    }

    public Task<JobSnapshot?> GetInternal() => Task.FromResult(state.RecordExists ? Snapshot() : null);

    public async Task<JobSnapshot> Cancel(Caller caller)
    {
        if (!state.RecordExists || !caller.Owns(state.State.TenantId) && !caller.IsPlatformAdmin)
            throw IptoException.NotFound("Job");
        if (JobStatuses.IsTerminal(state.State.Status))
            throw IptoException.InvalidTransition("job", state.State.Status, JobStatuses.Cancelled);
        await _deactivating.CancelAsync();
        await SaveAsync(s => s.Status = JobStatuses.Cancelled);
        return Snapshot();
    }

    public async Task<bool> Resume()
    {
        if (!state.RecordExists) return false;
        if (JobStatuses.IsTerminal(state.State.Status))
            await ProjectAsync(); // the row the sweeper read lags behind
        else
            EnsureRunning();
        return true;
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName != LegacyResumeReminder) return;
        if (state.RecordExists && !JobStatuses.IsTerminal(state.State.Status)) EnsureRunning();
        if (await this.GetReminder(LegacyResumeReminder) is { } reminder) await this.UnregisterReminder(reminder);
    }

    private void EnsureRunning()
    {
        if (_running is { IsCompleted: false } || _deactivating.IsCancellationRequested) return;
        _running = RunAsync();
    }

    private async Task RunAsync()
    {
        var handler = handlers.FirstOrDefault(h => h.Type == state.State.Type);
        if (handler is null)
        {
            await FinishAsync(JobStatuses.Failed, null, $"No handler is registered for job type '{state.State.Type}'.");
            return;
        }

        DelayDeactivation(KeepAliveWhileRunning);
        await SaveAsync(s =>
        {
            s.Status = JobStatuses.Running;
            s.Attempts++;
        });
        var execution = new JobExecution(JobId, state.State.TenantId, state.State.Input, state.State.Checkpoint,
            (progress, checkpoint) =>
            {
                // A running handler receives no calls; without this the idle collector would interrupt it.
                DelayDeactivation(KeepAliveWhileRunning);
                return SaveAsync(s =>
                {
                    s.Completed = progress.Completed;
                    s.Total = progress.Total;
                    s.Checkpoint = checkpoint;
                });
            });
        try
        {
            var result = await handler.RunAsync(execution, _deactivating.Token);
            await FinishAsync(JobStatuses.Succeeded, result, null);
        }
        catch (OperationCanceledException) when (_deactivating.IsCancellationRequested)
        {
            // The silo is shutting down or the job was cancelled: the sweeper resumes an unfinished job elsewhere.
        }
        catch (JobFailedException e)
        {
            await FinishAsync(JobStatuses.Failed, null, e.Message);
        }
        catch (Exception e) when (state.State.Attempts >= MaxAttempts)
        {
            logger.LogError(e, "Job {JobId} of type {Type} failed {Attempts} attempts", JobId, state.State.Type, state.State.Attempts);
            await FinishAsync(JobStatuses.Failed, null, $"The job failed after {state.State.Attempts} attempts.");
        }
        catch (Exception e)
        {
            // Left running: the sweeper retries, since most failures here are transient (store or database down).
            logger.LogWarning(e, "Job {JobId} of type {Type} failed an attempt; it will be retried", JobId, state.State.Type);
        }
    }

    private async Task FinishAsync(string status, string? result, string? error)
    {
        if (JobStatuses.IsTerminal(state.State.Status)) return;
        if (status == JobStatuses.Failed) Diagnostics.IptoMetrics.JobFailed(state.State.Type);
        await SaveAsync(s =>
        {
            s.Status = status;
            s.Result = result;
            s.Error = error;
            // A succeeded job is complete whether or not its handler reported progress: completed == total ≥ 1.
            if (status == JobStatuses.Succeeded) s.Completed = s.Total = Math.Max(1, Math.Max(s.Total, s.Completed));
        });
    }

    private async Task SaveAsync(Action<JobState> change)
    {
        await _writeLock.WaitAsync();
        try
        {
            change(state.State);
            state.State.Version++;
            state.State.UpdatedAt = time.GetUtcNow();
            await state.WriteStateAsync();
        }
        finally
        {
            _writeLock.Release();
        }

        await ProjectAsync();
    }

    // Job rows are written from the job's own progress as well as from requests: they always catch up in the background.
    private Task ProjectAsync() => Projection.CatchUpAsync(this, () => projection.UpsertAsync(JobId, state.State), logger, "job", JobId);

    private JobSnapshot Snapshot()
    {
        var s = state.State;
        return new JobSnapshot(JobId, s.TenantId, s.Type, s.Status, new JobProgress(s.Completed, s.Total), s.Result, s.Error,
            s.CreatedAt, s.UpdatedAt, s.Attempts);
    }
}
