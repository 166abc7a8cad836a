using Ipto.Grains.Hosting;
using Ipto.Grains.Metering;
using Ipto.Grains.Storage;
using Ipto.Integration.Tests.Support;
using Ipto.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Ipto.Integration.Tests.Storage;

public sealed class LedgerWriterPostgresTests
{
    [SkippableFact]
    public async Task ConcurrentAppendsAreDurableInFewBatchesOnPostgres()
    {
        await using var test = await TestDatabase.CreateAsync();
        await using var database = AppDatabase.Create(new IptoOptions { Mode = "cluster", Postgres = { ConnectionString = test.ConnectionString } });

        await LedgerChecks.ConcurrentAppendsAreDurableInFewBatchesAsync(database);
    }

    [SkippableFact]
    public async Task ASecondAttemptOfASearchWritesNothingOnPostgres()
    {
        await using var test = await TestDatabase.CreateAsync();
        await using var database = AppDatabase.Create(new IptoOptions { Mode = "cluster", Postgres = { ConnectionString = test.ConnectionString } });

        await LedgerChecks.ASecondAttemptOfASearchWritesNothingAsync(database);
    }

    [SkippableFact]
    public async Task BillableEventsKeepTheirFieldsAndOneCitationPerRetrievalOnPostgres()
    {
        await using var test = await TestDatabase.CreateAsync();
        await using var database = AppDatabase.Create(new IptoOptions { Mode = "cluster", Postgres = { ConnectionString = test.ConnectionString } });

        await LedgerChecks.BillableEventsKeepTheirFieldsAndOneCitationPerRetrievalAsync(database);
    }

    [SkippableFact]
    public async Task SpendAndAccessesAgreeWithTheLedgerOnPostgres()
    {
        await using var test = await TestDatabase.CreateAsync();
        await using var database = AppDatabase.Create(new IptoOptions { Mode = "cluster", Postgres = { ConnectionString = test.ConnectionString } });

        await BuyerReadChecks.SpendAndAccessesAgreeWithTheLedgerAsync(database);
    }

    [SkippableFact]
    public async Task SpendFromTheRollupEqualsTheEventsOnPostgres()
    {
        await using var test = await TestDatabase.CreateAsync();
        await using var database = AppDatabase.Create(new IptoOptions { Mode = "cluster", Postgres = { ConnectionString = test.ConnectionString } });

        await LedgerChecks.SpendFromTheRollupEqualsTheEventsAsync(database);
    }

    /// <summary>
    /// A flush never moves the watermark past a write still in flight: a transaction that took its sequence number
    /// before a later, committed one holds the flush back until it commits, so its event reaches the rollup.
    /// </summary>
    [SkippableFact]
    public async Task AFlushWaitsForAnEarlierNumberStillInFlight()
    {
        await using var test = await TestDatabase.CreateAsync();
        await using var database = AppDatabase.Create(new IptoOptions { Mode = "cluster", Postgres = { ConnectionString = test.ConnectionString } });
        await new SchemaMigrator(database, NullLogger<SchemaMigrator>.Instance).MigrateAsync(CancellationToken.None);
        var at = new DateTimeOffset(2025, 6, 1, 12, 0, 0, TimeSpan.Zero);
        AccessEventRow Event(string id, long micros) => new(id, "retrieval", "tnt_buyer", "tnt_p", "dset_1", "obj_1", "key_1", null, micros, at);

        await using var early = await database.OpenAsync();
        await using var inFlight = await early.BeginTransactionAsync();
        await LedgerSequence.TakeSharedAsync(early, inFlight);
        await LedgerTables.InsertAllAsync(early, inFlight, [Event("ret_early", 1_000)]);

        var writer = new LedgerWriter(database, NullLogger<LedgerWriter>.Instance);
        await writer.StartAsync(CancellationToken.None);
        await writer.AppendAsync(Event("ret_late", 20_000)); // a larger number, committed first
        await writer.StopAsync(CancellationToken.None);

        var rollups = new LedgerRollups(database);
        var flush = rollups.FlushAsync();
        using (var done = new CancellationTokenSource())
        {
            // The flush either waits for the early write or (wrongly) finishes without it.
            await Task.WhenAny(flush, WaitForALockWaiterAsync(database, done.Token));
            await done.CancelAsync();
        }

        await inFlight.CommitAsync();
        await flush;
        while (await rollups.FlushAsync()) { }

        await using var connection = await database.OpenAsync();
        await using var rolledUp = connection.Command("SELECT COALESCE(SUM(amount), 0) FROM spend_daily WHERE tenant_id = 'tnt_buyer'");
        Assert.Equal(21_000L, Convert.ToInt64(await rolledUp.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture));
    }

    private static async Task WaitForALockWaiterAsync(AppDatabase database, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var waiting = connection.Command(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())");
        while (Convert.ToInt64(await waiting.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture) == 0)
            await Task.Delay(10, cancellationToken);
    }
}
