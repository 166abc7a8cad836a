using System.Collections.Concurrent;
using System.Globalization;
using Ipto.Grains.Jobs;
using Ipto.Jobs;

namespace Ipto.Testing.Jobs;

/// <summary>
/// Counts from the checkpoint to the number in its input, one durable step at a time. A test can hold the job
/// before a given step (<see cref="HoldBefore"/>) and see which steps ran (<see cref="Executed"/>), per job id.
/// </summary>
public sealed class CountingJobHandler : IJobHandler
{
    public static readonly ConcurrentDictionary<string, ConcurrentQueue<int>> Executed = new();
    public static readonly ConcurrentDictionary<string, (int Step, TaskCompletionSource Release)> HoldBefore = new();

    public string Type => "test.count";

    public async Task<string?> RunAsync(JobExecution execution, CancellationToken cancellationToken)
    {
        var total = int.Parse(execution.Input, CultureInfo.InvariantCulture);
        var next = execution.Checkpoint is null ? 1 : int.Parse(execution.Checkpoint, CultureInfo.InvariantCulture) + 1;
        for (var step = next; step <= total; step++)
        {
            if (HoldBefore.TryGetValue(execution.JobId, out var hold) && hold.Step == step)
                await hold.Release.Task.WaitAsync(cancellationToken);
            Executed.GetOrAdd(execution.JobId, _ => new ConcurrentQueue<int>()).Enqueue(step);
            await execution.SaveProgressAsync(new JobProgress(step, total), step.ToString(CultureInfo.InvariantCulture));
        }

        return $"{{\"counted\":{total}}}";
    }
}

public sealed class FailingJobHandler : IJobHandler
{
    public string Type => "test.fail";

    public Task<string?> RunAsync(JobExecution execution, CancellationToken cancellationToken) =>
        throw new JobFailedException("the input was rejected");
}

/// <summary>Fails its first attempt with an unexpected error, then succeeds: the reminder must re-drive it.</summary>
public sealed class FlakyJobHandler : IJobHandler
{
    public static readonly ConcurrentDictionary<string, int> Attempts = new();

    public string Type => "test.flaky";

    public Task<string?> RunAsync(JobExecution execution, CancellationToken cancellationToken)
    {
        var attempt = Attempts.AddOrUpdate(execution.JobId, 1, (_, n) => n + 1);
        if (attempt == 1) throw new IOException("the disk hiccupped");
        return Task.FromResult<string?>("\"ok\"");
    }
}
