using System.Diagnostics;
using Ipto.Grains.Hosting;
using Ipto.Jobs;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Ipto.Grains.Jobs;

/// <summary>
/// Every <c>Ipto:Jobs:ResumePeriod</c>, asks each unfinished job of the read model to resume. A job whose silo died
/// is activated elsewhere and continues from its checkpoint; a job running fine ignores the call.
/// </summary>
public sealed class JobSweeperGrain(
    JobProjection projection,
    IOptions<IptoOptions> options,
    TimeProvider time,
    ILogger<JobSweeperGrain> logger) : SweeperGrain(options, logger), IJobSweeperGrain
{
    private const int PageSize = 500;
    private const int Concurrency = 32;

    /// <summary>Where a tick that ran out of time stopped; the next one continues from there.</summary>
    private string? _continueAfter;

    protected override TimeSpan Period => Options.Jobs.ResumePeriod;

    protected override async Task<int> SweepAsync(Stopwatch elapsed)
    {
        var resumed = 0;
        while (true)
        {
            var page = await projection.UnfinishedAsync(_continueAfter, PageSize);
            foreach (var chunk in page.Chunk(Concurrency)) await Task.WhenAll(chunk.Select(ResumeAsync));
            resumed += page.Count;
            _continueAfter = page.Count == PageSize ? page[^1] : null;
            if (_continueAfter is null || elapsed.Elapsed >= TickBudget) return resumed;
        }
    }

    private async Task ResumeAsync(string jobId)
    {
        try
        {
            if (await GrainFactory.GetGrain<IJobGrain>(jobId).Resume()) return;
            // No job behind the row: its start wrote the row and then failed before the job's state was written.
            await projection.DeleteOrphanAsync(jobId, time.GetUtcNow() - Period);
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Could not resume job {JobId}; the next tick retries", jobId);
        }
    }
}
