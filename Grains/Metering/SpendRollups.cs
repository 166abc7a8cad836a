using System.Data.Common;
using System.Globalization;
using Ipto.Grains.Storage;
using Npgsql;

namespace Ipto.Grains.Metering;

/// <summary>
/// The daily spend rollup (<c>spend_daily</c>: per buyer tenant, UTC day, dataset, key and type) is a cache of the
/// access events up to its watermark, a ledger sequence number (<see cref="LedgerSequence"/>). Appends never touch it:
/// a flush adds the events after the watermark and moves the watermark in one transaction, so readers that add the
/// events after the watermark to the rollup (<see cref="SpendReader"/>) get exact totals whether or not a flush ran.
/// </summary>
public sealed class SpendRollups(AppDatabase database)
{
    public const string Name = "spend_daily";

    /// <summary>Events one flush adds at most, so its transaction stays short; a longer backlog takes several.</summary>
    public const int MaxEventsPerFlush = 100_000;

    /// <summary>Adds the events committed after the watermark (up to <see cref="MaxEventsPerFlush"/>); false when there were none.</summary>
    public async Task<bool> FlushAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var horizon = await LedgerSequence.CommittedHorizonAsync(connection, cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var watermark = await WatermarkAsync(connection, transaction, cancellationToken);
        if (horizon <= watermark) return false;

        var upTo = Math.Min(horizon, watermark + MaxEventsPerFlush);
        await using (var add = connection.Command(Aggregate("seq > @watermark AND seq <= @up_to") + AddToRollup, transaction)
                         .With("@watermark", watermark).With("@up_to", upTo))
            await add.ExecuteNonQueryAsync(cancellationToken);
        await MoveWatermarkAsync(connection, transaction, upTo, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    /// <summary>Rebuilds the rollup from the events, in one transaction; appends and flushes meanwhile lose nothing.</summary>
    public async Task RebuildAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var horizon = await LedgerSequence.CommittedHorizonAsync(connection, cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await WatermarkAsync(connection, transaction, cancellationToken); // locks out flushes until this commits
        await using (var clear = connection.Command("DELETE FROM spend_daily", transaction)) await clear.ExecuteNonQueryAsync(cancellationToken);
        await using (var fill = connection.Command(Aggregate("seq <= @up_to"), transaction).With("@up_to", horizon))
            await fill.ExecuteNonQueryAsync(cancellationToken);
        await MoveWatermarkAsync(connection, transaction, horizon, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>The rollup's watermark, read in a read-model snapshot or (in a write transaction) locked until it commits.</summary>
    public async Task<long> WatermarkAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken = default)
    {
        await using var read = connection.Command("SELECT seq FROM rollup_watermarks WHERE name = @name" + database.ForUpdate, transaction).With("@name", Name);
        return Convert.ToInt64(await read.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
    }

    private static async Task MoveWatermarkAsync(DbConnection connection, DbTransaction transaction, long seq, CancellationToken cancellationToken)
    {
        await using var move = connection.Command("UPDATE rollup_watermarks SET seq = @seq WHERE name = @name", transaction).With("@seq", seq).With("@name", Name);
        await move.ExecuteNonQueryAsync(cancellationToken);
    }

    private string Aggregate(string events)
    {
        var day = database.UtcDayOf("occurred_at");
        return $"""
                INSERT INTO spend_daily (tenant_id, day, dataset_id, api_key_id, type, events, amount)
                SELECT tenant_id, {day}, dataset_id, COALESCE(api_key_id, ''), type, count(*), SUM(charged_micros)
                FROM access_events WHERE {events} GROUP BY tenant_id, {day}, dataset_id, COALESCE(api_key_id, ''), type
                """;
    }

    /// <summary>How a rollup row already there takes a flush's counts: added, never replaced.</summary>
    private const string AddToRollup =
        " ON CONFLICT (tenant_id, day, dataset_id, api_key_id, type) DO UPDATE SET events = spend_daily.events + excluded.events, amount = spend_daily.amount + excluded.amount";
}

/// <summary>
/// The ledger's commit order. Every access event gets a sequence number when it is inserted. Numbers are allocated in
/// one order but transactions commit in another, so "the largest number committed" is not by itself a safe watermark:
/// a smaller number could still be in flight. On PostgreSQL every ledger write therefore holds a shared advisory lock
/// from before its first insert to its commit, and <see cref="CommittedHorizonAsync"/> takes it exclusively for one
/// statement: no write is in flight then, so every number up to the largest committed one is final. SQLite has one
/// writer at a time, so its largest committed number always is.
/// </summary>
public static class LedgerSequence
{
    private const long LockKey = 0x6970_746f_6c65_6467; // any constant the app uses for nothing else

    /// <summary>The statement that starts every PostgreSQL ledger write (a transaction-scoped shared lock).</summary>
    public static NpgsqlBatchCommand TakeShared() => new($"SELECT pg_advisory_xact_lock_shared({LockKey})");

    public static async Task TakeSharedAsync(DbConnection connection, DbTransaction transaction)
    {
        if (connection is not NpgsqlConnection) return;
        await using var take = connection.Command(TakeShared().CommandText, transaction);
        await take.ExecuteNonQueryAsync();
    }

    /// <summary>The largest sequence number below which every number is committed or will never be.</summary>
    public static async Task<long> CommittedHorizonAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        const string largest = "SELECT COALESCE(max(seq), 0) FROM access_events";
        if (connection is NpgsqlConnection postgres)
        {
            // One implicit transaction: the exclusive lock waits for the writes in flight and holds new ones back until
            // the maximum is read (a brief pause for writers, once per flush).
            await using var batch = new NpgsqlBatch(postgres) { BatchCommands = { new($"SELECT pg_advisory_xact_lock({LockKey})"), new(largest) } };
            await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
            await reader.NextResultAsync(cancellationToken);
            await reader.ReadAsync(cancellationToken);
            return reader.GetInt64(0);
        }

        await using var read = connection.Command(largest);
        return Convert.ToInt64(await read.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
    }
}
