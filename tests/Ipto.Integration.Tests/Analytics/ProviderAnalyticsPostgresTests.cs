using Ipto.Grains.Hosting;
using Ipto.Grains.Storage;
using Ipto.Integration.Tests.Support;
using Ipto.Testing;

namespace Ipto.Integration.Tests.Analytics;

public sealed class ProviderAnalyticsPostgresTests
{
    [SkippableFact]
    public async Task AnalyticsFromTheRollupsEqualTheEventsOnPostgres()
    {
        await using var test = await TestDatabase.CreateAsync();
        await using var database = AppDatabase.Create(new IptoOptions { Mode = "cluster", Postgres = { ConnectionString = test.ConnectionString } });

        await ProviderAnalyticsChecks.AnalyticsFromTheRollupsEqualTheEventsAsync(database);
    }
}
