using System.Data.Common;
using System.Globalization;
using Ipto.Grains.Analytics;
using Ipto.Grains.Storage;
using Npgsql;

namespace Ipto.Grains.Metering;

/// <summary>
/// A cache of the access events up to its watermark, a ledger sequence number (<see cref="LedgerSequence"/>), kept in
/// <c>rollup_watermarks</c> under <see cref="Name"/>. Adding a range of events must add to rows already there, never
/// replace them.
/// </summary>
public interface ILedgerRollup
{
    string Name { get; }

    /// <summary>Deletes every row of the rollup.</summary>
    Task ClearAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken);

    /// <summary>Adds the events with <paramref name="after"/> &lt; seq ≤ <paramref name="upTo"/>.</summary>
    Task AddAsync(DbConnection connection, DbTransaction transaction, long after, long upTo, CancellationToken cancellationToken);
}

/// <summary>
/// The ledger's rollups (<see cref="SpendRollup"/>, <see cref="ProviderRollup"/>). Appends never touch them: a flush
/// adds a rollup's events after its watermark and moves the watermark in one transaction, so readers that add the
/// events after the watermark to the rollup (<see cref="RollupSums"/>) get exact figures whether or not a flush ran.
/// </summary>
public sealed class LedgerRollups(AppDatabase database)
{
    /// <summary>Events one flush adds at most, so its transaction stays short; a longer backlog takes several.</summary>
    public const int MaxEventsPerFlush = 100_000;

    public IReadOnlyList<ILedgerRollup> All { get; } = [new SpendRollup(database), new ProviderRollup(database)];

    /// <summary>
    /// Adds to each rollup the events committed after its watermark (up to <see cref="MaxEventsPerFlush"/>); false when
    /// none had any.
    /// </summary>
    public async Task<bool> FlushAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var horizon = await LedgerSequence.CommittedHorizonAsync(connection, cancellationToken);
        var added = false;
        foreach (var rollup in All)
        {
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            var watermark = await WatermarkAsync(database, connection, transaction, rollup.Name, cancellationToken);
            if (horizon <= watermark) continue;

            var upTo = Math.Min(horizon, watermark + MaxEventsPerFlush);
            await rollup.AddAsync(connection, transaction, watermark, upTo, cancellationToken);
            await MoveWatermarkAsync(connection, transaction, rollup.Name, upTo, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            added = true;
        }

        return added;
    }

    /// <summary>Rebuilds every rollup from the events, each in one transaction; appends and flushes meanwhile lose nothing.</summary>
    public async Task RebuildAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        foreach (var rollup in All)
        {
            var horizon = await LedgerSequence.CommittedHorizonAsync(connection, cancellationToken);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            await WatermarkAsync(database, connection, transaction, rollup.Name, cancellationToken); // locks out flushes until this commits
            await rollup.ClearAsync(connection, transaction, cancellationToken);
            await rollup.AddAsync(connection, transaction, 0, horizon, cancellationToken);
            await MoveWatermarkAsync(connection, transaction, rollup.Name, horizon, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
    }

    /// <summary>A rollup's watermark, read in a read-model snapshot or (in a write transaction) locked until it commits.</summary>
    public static async Task<long> WatermarkAsync(AppDatabase database, DbConnection connection, DbTransaction transaction, string name,
        CancellationToken cancellationToken = default)
    {
        await using var read = connection.Command("SELECT seq FROM rollup_watermarks WHERE name = @name" + database.ForUpdate, transaction).With("@name", name);
        return Convert.ToInt64(await read.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
    }

    private static async Task MoveWatermarkAsync(DbConnection connection, DbTransaction transaction, string name, long seq, CancellationToken cancellationToken)
    {
        await using var move = connection.Command("UPDATE rollup_watermarks SET seq = @seq WHERE name = @name", transaction).With("@seq", seq).With("@name", name);
        await move.ExecuteNonQueryAsync(cancellationToken);
    }
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
