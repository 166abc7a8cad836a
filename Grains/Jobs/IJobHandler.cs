using Ipto.Jobs;

namespace Ipto.Grains.Jobs;

/// <summary>
/// The work behind one job type. <see cref="RunAsync"/> may be called again after a crash with the last saved
/// checkpoint, so every step must be idempotent.
/// </summary>
public interface IJobHandler
{
    string Type { get; }

    /// <summary>Runs (or resumes) the job and returns its result (JSON text or null).</summary>
    Task<string?> RunAsync(JobExecution execution, CancellationToken cancellationToken);
}

/// <summary>What a running handler sees: its input, the last checkpoint, and a way to save progress durably.</summary>
public sealed class JobExecution(string jobId, string tenantId, string input, string? checkpoint, Func<JobProgress, string?, Task> save)
{
    public string JobId { get; } = jobId;
    public string TenantId { get; } = tenantId;
    public string Input { get; } = input;

    /// <summary>The checkpoint saved by the last <see cref="SaveProgressAsync"/> before a crash, or null on a fresh start.</summary>
    public string? Checkpoint { get; private set; } = checkpoint;

    /// <summary>Persists progress and a checkpoint; once it returns, a restarted job resumes from here.</summary>
    public async Task SaveProgressAsync(JobProgress progress, string? checkpoint)
    {
        await save(progress, checkpoint);
        Checkpoint = checkpoint;
    }
}

/// <summary>A failure the handler reports on purpose: the job ends <c>failed</c> with this message, without retry.</summary>
public sealed class JobFailedException(string message) : Exception(message);
