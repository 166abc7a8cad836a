using System.Data.Common;
using System.Text.Json;
using System.Threading.Channels;
using Ipto.Common;
using Ipto.Grains.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Ipto.Grains.Metering;

/// <summary>
/// Group commit for the ledger: callers await <see cref="AppendAsync(IReadOnlyList{LedgerRow}, bool)"/>, which completes only
/// after the unit's batch is committed, so a response that follows is backed by durable rows. A unit (a search's
/// activity with its retrieval events) is never split across batches. One loop drains the queue into batches of about
/// <see cref="MaxBatch"/> rows, each written in one transaction; a failed batch fails every caller in it (nothing is
/// acknowledged that was not written). A unit whose leading row is already recorded writes nothing (the answer is
/// false): two attempts of one idempotent search are charged once, a retrieval event is cited once. Before a batch
/// commits, <paramref name="statements"/> opens the payout statement of every provider and period that earns in it.
/// </summary>
public sealed class LedgerWriter(AppDatabase database, ILogger<LedgerWriter> logger, int capacity = LedgerWriter.DefaultCapacity,
    Payouts.PayoutStatementOpener? statements = null) : BackgroundService
{
    public const int MaxBatch = 500;

    /// <summary>Units (a search, a charge) waiting for their commit at most; beyond, appends fail at once instead of piling up while the database is down.</summary>
    public const int DefaultCapacity = 20_000;

    private readonly Channel<Unit> _queue =
        Channel.CreateBounded<Unit>(new BoundedChannelOptions(capacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

    private volatile bool _stopped;

    /// <summary>Batches committed so far (for tests and metrics).</summary>
    public long BatchesCommitted => Interlocked.Read(ref _batchesCommitted);

    /// <summary>Completes once the row is committed; fails at once with <c>service_unavailable</c> when the queue is full.</summary>
    public Task AppendAsync(LedgerRow row) => AppendAsync([row]);

    /// <summary>
    /// Completes once the rows are committed together: true, or false when <paramref name="mayRepeat"/> and the unit's
    /// leading row was already recorded (then none of its rows is written): an idempotent search's activity, the one
    /// citation of a retrieval event, an outcome under an Idempotency-Key. A unit that cannot repeat (fresh ids) is
    /// written with the batch's other such units in one round trip. Fails at once with <c>service_unavailable</c> when
    /// the queue is full.
    /// </summary>
    public Task<bool> AppendAsync(IReadOnlyList<LedgerRow> rows, bool mayRepeat = false)
    {
        var unit = new Unit(rows, mayRepeat, new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously));
        if (!_queue.Writer.TryWrite(unit))
            unit.Done.SetException(_stopped
                ? new InvalidOperationException("The ledger writer has stopped.")
                : new IptoException(ErrorCodes.ServiceUnavailable, "The ledger is behind its database; retry after a short wait."));
        return unit.Done.Task;
    }

    /// <summary>
    /// Batches committing at once: on PostgreSQL the next batch gathers and commits while one is still in its commit
    /// (writers that each await their commit would otherwise leave the database idle between batches); SQLite has one
    /// writer.
    /// </summary>
    private int InFlight => database.Dialect == SqlDialect.Postgres ? 2 : 1;

    private long _batchesCommitted;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var slots = new SemaphoreSlim(InFlight);
        var commits = new List<Task>();
        try
        {
            while (await _queue.Reader.WaitToReadAsync(stoppingToken))
            {
                await slots.WaitAsync(stoppingToken);
                var batch = new List<Unit>();
                var rows = 0;
                while (rows < MaxBatch && _queue.Reader.TryRead(out var unit))
                {
                    batch.Add(unit);
                    rows += unit.Rows.Count;
                }

                commits.RemoveAll(c => c.IsCompleted);
                commits.Add(CommitAsync(batch).ContinueWith(_ => slots.Release(), TaskScheduler.Default));
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: what is still queued is written below, so no awaiting caller is left hanging.
        }

        await Task.WhenAll(commits);
        _stopped = true;
        _queue.Writer.TryComplete();
        var rest = new List<Unit>();
        while (_queue.Reader.TryRead(out var unit)) rest.Add(unit);
        if (rest.Count > 0) await CommitAsync(rest);
    }

    private async Task CommitAsync(List<Unit> batch)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        try
        {
            if (statements is not null) await statements.EnsureOpenAsync(batch.SelectMany(u => u.Rows));
            var written = new bool[batch.Count];
            if (!batch.Any(u => u.MayRepeat) && database.Dialect == SqlDialect.Postgres)
            {
                // One round trip, atomic by itself; a row already there is skipped.
                await using var connection = (Npgsql.NpgsqlConnection)await database.OpenAsync();
                await LedgerTables.InsertFreshAsync(connection, batch.SelectMany(u => u.Rows));
            }
            else
            {
                await using var connection = await database.OpenAsync();
                await using var transaction = await connection.BeginTransactionAsync();
                await LedgerSequence.TakeSharedAsync(connection, transaction);
                for (var i = 0; i < batch.Count; i++)
                {
                    if (!batch[i].MayRepeat) continue;
                    written[i] = await InsertUnlessRecordedAsync(connection, transaction, batch[i].Rows);
                }

                await LedgerTables.InsertAllAsync(connection, transaction, batch.Where(u => !u.MayRepeat).SelectMany(u => u.Rows));
                await transaction.CommitAsync();
            }

            for (var i = 0; i < batch.Count; i++) written[i] |= !batch[i].MayRepeat;
            Interlocked.Increment(ref _batchesCommitted);
            Diagnostics.IptoMetrics.LedgerBatchCommitted(batch.Sum(u => u.Rows.Count), System.Diagnostics.Stopwatch.GetElapsedTime(started));
            for (var i = 0; i < batch.Count; i++)
                if (written[i])
                    foreach (var access in batch[i].Rows.OfType<AccessEventRow>()) Diagnostics.IptoMetrics.AccessEventCommitted(access.Type, access.ChargedMicros);
            for (var i = 0; i < batch.Count; i++) batch[i].Done.TrySetResult(written[i]);
        }
        catch (Exception e)
        {
            Diagnostics.IptoMetrics.LedgerBatchFailed();
            logger.LogError(e, "A ledger batch of {Count} units failed; its callers get the error", batch.Count);
            foreach (var unit in batch) unit.Done.TrySetException(e);
        }
    }

    /// <summary>Inserts a unit's rows unless its leading row is already there (then nothing is written); answers whether it wrote them.</summary>
    private static async Task<bool> InsertUnlessRecordedAsync(DbConnection connection, DbTransaction transaction, IReadOnlyList<LedgerRow> rows)
    {
        if (rows.Count == 0 || await LedgerTables.InsertAsync(connection, transaction, rows[0]) == 0) return false;
        await LedgerTables.InsertAllAsync(connection, transaction, rows.Skip(1));
        return true;
    }

    private sealed record Unit(IReadOnlyList<LedgerRow> Rows, bool MayRepeat, TaskCompletionSource<bool> Done);
}
