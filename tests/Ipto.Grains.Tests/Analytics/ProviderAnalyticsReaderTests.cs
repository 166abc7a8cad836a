using Ipto.Grains.Hosting;
using Ipto.Grains.Storage;
using Ipto.Testing;

namespace Ipto.Grains.Tests.Analytics;

public sealed class ProviderAnalyticsReaderTests
{
    [Fact]
    public async Task AnalyticsFromTheRollupsEqualTheEventsOnSqlite()
    {
        using var dir = new TempDir();
        await using var database = AppDatabase.Create(new IptoOptions { DataDir = dir.Path });

        await ProviderAnalyticsChecks.AnalyticsFromTheRollupsEqualTheEventsAsync(database);
    }
}
