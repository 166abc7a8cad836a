using System.Diagnostics.Metrics;
using Ipto.Grains.Storage;
using Ipto.Jobs;
using Ipto.Objects;
using Microsoft.Extensions.Logging;

namespace Ipto.Grains.Diagnostics;

/// <summary>
/// Gauges read from the read models: the review queue (staged objects awaiting a platform admin) and the job backlog
/// (queued or running jobs). A scrape reports the last count and, when it is older than <see cref="MaxAge"/>,
/// starts one refresh in the background, so scraping never waits on the database. Before the first count a gauge
/// reports nothing.
/// </summary>
public sealed class OperationalGauges
{
    private static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(10);

    private readonly AppDatabase _database;
    private readonly TimeProvider _time;
    private readonly ILogger<OperationalGauges> _logger;
    private readonly Count _reviewQueue;
    private readonly Count _jobBacklog;

    public OperationalGauges(IMeterFactory meters, AppDatabase database, TimeProvider time, ILogger<OperationalGauges> logger)
    {
        _database = database;
        _time = time;
        _logger = logger;
        _reviewQueue = new Count($"SELECT COUNT(*) FROM objects WHERE review_state = '{ReviewStates.Staged}'");
        _jobBacklog = new Count($"SELECT COUNT(*) FROM jobs WHERE status IN ('{JobStatuses.Queued}', '{JobStatuses.Running}')");
        var meter = meters.Create(IptoMetrics.MeterName);
        meter.CreateObservableGauge("ipto.review.queue", () => Observe(_reviewQueue), "{object}", "Staged objects awaiting review.");
        meter.CreateObservableGauge("ipto.jobs.backlog", () => Observe(_jobBacklog), "{job}", "Queued or running jobs.");
    }

    private IEnumerable<Measurement<long>> Observe(Count count)
    {
        var now = _time.GetUtcNow();
        if (now - count.ReadAt > MaxAge && Interlocked.Exchange(ref count.Refreshing, 1) == 0) _ = RefreshAsync(count);
        return count.Value is { } value ? [new Measurement<long>(value)] : [];
    }

    private async Task RefreshAsync(Count count)
    {
        try
        {
            await using var connection = await _database.OpenAsync();
            await using var command = connection.Command(count.Sql);
            count.Value = Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
            count.ReadAt = _time.GetUtcNow();
        }
        catch (Exception e)
        {
            _logger.LogWarning("A gauge could not be read ({Reason})", e.GetType().Name);
        }
        finally
        {
            Volatile.Write(ref count.Refreshing, 0);
        }
    }

    private sealed class Count(string sql)
    {
        public string Sql { get; } = sql;
        public long? Value;
        public DateTimeOffset ReadAt = DateTimeOffset.MinValue;
        public int Refreshing;
    }
}
