using Ipto.Grains.Hosting;
using Ipto.Grains.Storage;
using Ipto.Integration.Tests.Support;
using Ipto.Testing;

namespace Ipto.Integration.Tests.Search;

public sealed class SearchableDatasetsPostgresTests
{
    [SkippableFact]
    public async Task AnotherSilosViewSeesEveryChangeWithinItsRefreshPeriodOnPostgres()
    {
        await using var test = await TestDatabase.CreateAsync();
        await using var database = AppDatabase.Create(new IptoOptions { Mode = "cluster", Postgres = { ConnectionString = test.ConnectionString } });

        await SearchableViewChecks.AnotherSilosViewSeesEveryChangeWithinItsRefreshPeriodAsync(database);
    }
}
