using System.Data.Common;
using System.Text.Json;
using System.Threading.Channels;
using Ipto.Common;
using Ipto.Grains.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Ipto.Grains.Metering;

/// <summary>
/// Group commit for the ledger: callers await <see cref="AppendAsync(IReadOnlyList{LedgerRow})"/>, which completes only
/// after the unit's batch is committed, so a response that follows is backed by durable rows. A unit (a search's
/// activity with its retrieval events) is never split across batches. One loop drains the queue into batches of about
/// <see cref="MaxBatch"/> rows, each written in one transaction; a failed batch fails every caller in it (nothing is
/// acknowledged that was not written). A unit whose leading row is already recorded writes nothing (the answer is
/// false): two attempts of one idempotent search are charged once, a retrieval event is cited once.
/// </summary>
public sealed class LedgerWriter(AppDatabase database, ILogger<LedgerWriter> logger, int capacity = LedgerWriter.DefaultCapacity) : BackgroundService
{
    public const int MaxBatch = 500;

    /// <summary>Units (a search, a charge) waiting for their commit at most; beyond, appends fail at once instead of piling up while the database is down.</summary>
    public const int DefaultCapacity = 20_000;

    private readonly Channel<Unit> _queue =
        Channel.CreateBounded<Unit>(new BoundedChannelOptions(capacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

    private volatile bool _stopped;

    /// <summary>Batches committed so far (for tests and metrics).</summary>
    public long BatchesCommitted { get; private set; }

    /// <summary>Completes once the row is committed; fails at once with <c>service_unavailable</c> when the queue is full.</summary>
    public Task AppendAsync(LedgerRow row) => AppendAsync([row]);

    /// <summary>
    /// Completes once the rows are committed together: true, or false when the unit's leading search activity was
    /// already recorded (then none of its rows is written). Fails at once with <c>service_unavailable</c> when the
    /// queue is full.
    /// </summary>
    public Task<bool> AppendAsync(IReadOnlyList<LedgerRow> rows)
    {
        var unit = new Unit(rows, new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously));
        if (!_queue.Writer.TryWrite(unit))
            unit.Done.SetException(_stopped
                ? new InvalidOperationException("The ledger writer has stopped.")
                : new IptoException(ErrorCodes.ServiceUnavailable, "The ledger is behind its database; retry after a short wait."));
        return unit.Done.Task;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<Unit>();
        try
        {
            while (await _queue.Reader.WaitToReadAsync(stoppingToken))
            {
                var rows = 0;
                while (rows < MaxBatch && _queue.Reader.TryRead(out var unit))
                {
                    batch.Add(unit);
                    rows += unit.Rows.Count;
                }

                await CommitAsync(batch);
                batch.Clear();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: what is still queued is written below, so no awaiting caller is left hanging.
        }

        _stopped = true;
        _queue.Writer.TryComplete();
        while (_queue.Reader.TryRead(out var unit)) batch.Add(unit);
        if (batch.Count > 0) await CommitAsync(batch);
    }

    private async Task CommitAsync(List<Unit> batch)
    {
        try
        {
            await using var connection = await database.OpenAsync();
            await using var transaction = await connection.BeginTransactionAsync();
            var written = new bool[batch.Count];
            for (var i = 0; i < batch.Count; i++) written[i] = await InsertAsync(connection, transaction, batch[i].Rows);
            await transaction.CommitAsync();
            BatchesCommitted++;
            for (var i = 0; i < batch.Count; i++) batch[i].Done.TrySetResult(written[i]);
        }
        catch (Exception e)
        {
            logger.LogError(e, "A ledger batch of {Count} units failed; its callers get the error", batch.Count);
            foreach (var unit in batch) unit.Done.TrySetException(e);
        }
    }

    /// <summary>
    /// Inserts a unit's rows; a unit whose leading row is already there (a search activity of an earlier attempt, the
    /// one citation of a retrieval event) writes nothing.
    /// </summary>
    private static async Task<bool> InsertAsync(DbConnection connection, DbTransaction transaction, IReadOnlyList<LedgerRow> rows)
    {
        for (var i = 0; i < rows.Count; i++)
        {
            var inserted = await InsertAsync(connection, transaction, rows[i]);
            if (i == 0 && inserted == 0) return false;
        }

        return true;
    }

    private static async Task<int> InsertAsync(DbConnection connection, DbTransaction transaction, LedgerRow row)
    {
        await using var command = row switch
        {
            SearchActivityRow s => connection.Command("""
                    INSERT INTO search_activities (search_activity_id, tenant_id, api_key_id, principal_id, query_text, dataset_ids, result_count, charged_micros, occurred_at)
                    VALUES (@id, @tenant, @key, @principal, @query, @datasets, @results, @charged, @at) ON CONFLICT (search_activity_id) DO NOTHING
                    """, transaction)
                .With("@id", s.SearchActivityId).With("@tenant", s.TenantId).With("@key", s.ApiKeyId).With("@principal", s.PrincipalId)
                .With("@query", s.QueryText).With("@datasets", JsonSerializer.Serialize(s.DatasetIds)).With("@results", s.ResultCount)
                .With("@charged", s.ChargedMicros).With("@at", s.OccurredAt.ToUniversalTime()),
            AccessEventRow a => connection.Command("""
                    INSERT INTO access_events (access_id, type, tenant_id, provider_tenant_id, dataset_id, object_id, api_key_id, search_activity_id,
                        charged_micros, occurred_at, principal_id, retrieval_event_id, outcome_id, rank, chunk_index, locator, context)
                    VALUES (@id, @type, @tenant, @provider, @dataset, @object, @key, @search, @charged, @at, @principal, @retrieval, @outcome,
                        @rank, @chunk, @locator, @context) ON CONFLICT DO NOTHING
                    """, transaction)
                .With("@id", a.AccessId).With("@type", a.Type).With("@tenant", a.TenantId).With("@provider", a.ProviderTenantId)
                .With("@dataset", a.DatasetId).With("@object", a.ObjectId).With("@key", a.ApiKeyId).With("@search", a.SearchActivityId)
                .With("@charged", a.ChargedMicros).With("@at", a.OccurredAt.ToUniversalTime()).With("@principal", a.PrincipalId)
                .With("@retrieval", a.RetrievalEventId).With("@outcome", a.OutcomeId).With("@rank", a.Rank).With("@chunk", a.ChunkIndex)
                .With("@locator", a.Locator is null ? null : JsonSerializer.Serialize(a.Locator, ProjectionJson.Default.CitationLocator))
                .With("@context", a.Context),
            OutcomeRow o => connection.Command("""
                    INSERT INTO outcomes (outcome_id, tenant_id, document, created_at) VALUES (@id, @tenant, @document, @at)
                    ON CONFLICT (outcome_id) DO NOTHING
                    """, transaction)
                .With("@id", o.OutcomeId).With("@tenant", o.TenantId).With("@document", o.Document).With("@at", o.CreatedAt.ToUniversalTime()),
            SearchReplayRow r => connection.Command("""
                    INSERT INTO search_replays (search_activity_id, page, expires_at) VALUES (@id, @page, @expires)
                    ON CONFLICT (search_activity_id) DO NOTHING
                    """, transaction)
                .With("@id", r.SearchActivityId).With("@page", r.Page).With("@expires", r.ExpiresAt.ToUniversalTime()),
            _ => throw new ArgumentException($"Unknown ledger row {row.GetType().Name}.", nameof(row)),
        };
        return await command.ExecuteNonQueryAsync();
    }

    private sealed record Unit(IReadOnlyList<LedgerRow> Rows, TaskCompletionSource<bool> Done);
}
