using System.Data.Common;
using System.Text.Json;
using System.Threading.Channels;
using Ipto.Common;
using Ipto.Grains.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Ipto.Grains.Metering;

/// <summary>
/// Group commit for the ledger: callers await <see cref="AppendAsync"/>, which completes only after the row's batch is
/// committed, so a response that follows is backed by a durable row. One loop drains the queue into batches of up to
/// <see cref="MaxBatch"/> rows, each written in one transaction; a failed batch fails every caller in it (nothing is
/// acknowledged that was not written). Appending a row twice (same id) is a no-op.
/// </summary>
public sealed class LedgerWriter(AppDatabase database, ILogger<LedgerWriter> logger, int capacity = LedgerWriter.DefaultCapacity) : BackgroundService
{
    public const int MaxBatch = 500;

    /// <summary>Rows waiting for their commit at most; beyond, appends fail at once instead of piling up while the database is down.</summary>
    public const int DefaultCapacity = 20_000;

    private readonly Channel<(LedgerRow Row, TaskCompletionSource Done)> _queue =
        Channel.CreateBounded<(LedgerRow, TaskCompletionSource)>(new BoundedChannelOptions(capacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

    private volatile bool _stopped;

    /// <summary>Batches committed so far (for tests and metrics).</summary>
    public long BatchesCommitted { get; private set; }

    /// <summary>Completes once the row is committed; fails at once with <c>service_unavailable</c> when the queue is full.</summary>
    public Task AppendAsync(LedgerRow row)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_queue.Writer.TryWrite((row, done)))
            done.SetException(_stopped
                ? new InvalidOperationException("The ledger writer has stopped.")
                : new IptoException(ErrorCodes.ServiceUnavailable, "The ledger is behind its database; retry after a short wait."));
        return done.Task;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<(LedgerRow Row, TaskCompletionSource Done)>(MaxBatch);
        try
        {
            while (await _queue.Reader.WaitToReadAsync(stoppingToken))
            {
                while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var item)) batch.Add(item);
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
        while (_queue.Reader.TryRead(out var item)) batch.Add(item);
        if (batch.Count > 0) await CommitAsync(batch);
    }

    private async Task CommitAsync(List<(LedgerRow Row, TaskCompletionSource Done)> batch)
    {
        try
        {
            await using var connection = await database.OpenAsync();
            await using var transaction = await connection.BeginTransactionAsync();
            foreach (var (row, _) in batch) await InsertAsync(connection, transaction, row);
            await transaction.CommitAsync();
            BatchesCommitted++;
            foreach (var (_, done) in batch) done.TrySetResult();
        }
        catch (Exception e)
        {
            logger.LogError(e, "A ledger batch of {Count} rows failed; its callers get the error", batch.Count);
            foreach (var (_, done) in batch) done.TrySetException(e);
        }
    }

    private static async Task InsertAsync(DbConnection connection, DbTransaction transaction, LedgerRow row)
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
                    INSERT INTO access_events (access_id, type, tenant_id, provider_tenant_id, dataset_id, object_id, api_key_id, search_activity_id, charged_micros, occurred_at)
                    VALUES (@id, @type, @tenant, @provider, @dataset, @object, @key, @search, @charged, @at) ON CONFLICT (access_id) DO NOTHING
                    """, transaction)
                .With("@id", a.AccessId).With("@type", a.Type).With("@tenant", a.TenantId).With("@provider", a.ProviderTenantId)
                .With("@dataset", a.DatasetId).With("@object", a.ObjectId).With("@key", a.ApiKeyId).With("@search", a.SearchActivityId)
                .With("@charged", a.ChargedMicros).With("@at", a.OccurredAt.ToUniversalTime()),
            _ => throw new ArgumentException($"Unknown ledger row {row.GetType().Name}.", nameof(row)),
        };
        await command.ExecuteNonQueryAsync();
    }
}
