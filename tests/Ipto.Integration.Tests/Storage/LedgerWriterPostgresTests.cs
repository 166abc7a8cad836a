using Ipto.Grains.Hosting;
using Ipto.Grains.Storage;
using Ipto.Integration.Tests.Support;
using Ipto.Testing;

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
}
