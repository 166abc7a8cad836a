using Ipto.Grains.Hosting;
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
}
