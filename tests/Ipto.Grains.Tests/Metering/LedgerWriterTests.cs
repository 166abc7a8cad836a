using Ipto.Common;
using Ipto.Grains.Hosting;
using Ipto.Grains.Metering;
using Ipto.Grains.Storage;
using Ipto.Testing;

namespace Ipto.Grains.Tests.Metering;

public sealed class LedgerWriterTests
{
    [Fact]
    public async Task ConcurrentAppendsAreDurableInFewBatchesOnSqlite()
    {
        using var dir = new TempDir();
        await using var database = AppDatabase.Create(new IptoOptions { DataDir = dir.Path });

        await LedgerChecks.ConcurrentAppendsAreDurableInFewBatchesAsync(database);
    }

    [Fact]
    public async Task ASecondAttemptOfASearchWritesNothingOnSqlite()
    {
        using var dir = new TempDir();
        await using var database = AppDatabase.Create(new IptoOptions { DataDir = dir.Path });

        await LedgerChecks.ASecondAttemptOfASearchWritesNothingAsync(database);
    }

    [Fact]
    public async Task BillableEventsKeepTheirFieldsAndOneCitationPerRetrievalOnSqlite()
    {
        using var dir = new TempDir();
        await using var database = AppDatabase.Create(new IptoOptions { DataDir = dir.Path });

        await LedgerChecks.BillableEventsKeepTheirFieldsAndOneCitationPerRetrievalAsync(database);
    }

    [Fact]
    public async Task SpendAndAccessesAgreeWithTheLedgerOnSqlite()
    {
        using var dir = new TempDir();
        await using var database = AppDatabase.Create(new IptoOptions { DataDir = dir.Path });

        await BuyerReadChecks.SpendAndAccessesAgreeWithTheLedgerAsync(database);
    }

    [Fact]
    public async Task SpendFromTheRollupEqualsTheEventsOnSqlite()
    {
        using var dir = new TempDir();
        await using var database = AppDatabase.Create(new IptoOptions { DataDir = dir.Path });

        await LedgerChecks.SpendFromTheRollupEqualsTheEventsAsync(database);
    }

    [Fact]
    public async Task AFullQueueFailsAppendsAtOnceWithServiceUnavailable()
    {
        using var dir = new TempDir();
        await using var database = AppDatabase.Create(new IptoOptions { DataDir = dir.Path });
        // Not started: nothing drains the queue, as when every commit waits on a database that is down.
        using var writer = new LedgerWriter(database, Microsoft.Extensions.Logging.Abstractions.NullLogger<LedgerWriter>.Instance, capacity: 2);
        var at = DateTimeOffset.UtcNow;
        LedgerRow Row() => new SearchActivityRow(Ids.New(IdPrefixes.SearchActivity), "tnt_a", null, "usr_a", "q", [], 0, 0, at);

        var first = writer.AppendAsync(Row());
        var second = writer.AppendAsync(Row());
        var third = writer.AppendAsync(Row());

        var error = await Assert.ThrowsAsync<IptoException>(() => third);
        Assert.Equal(ErrorCodes.ServiceUnavailable, error.Code);
        Assert.False(first.IsCompleted);
        Assert.False(second.IsCompleted);
    }
}
