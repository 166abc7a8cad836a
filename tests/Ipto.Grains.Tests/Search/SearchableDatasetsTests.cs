using Ipto.Grains.Hosting;
using Ipto.Grains.Storage;
using Ipto.Testing;

namespace Ipto.Grains.Tests.Search;

public sealed class SearchableDatasetsTests
{
    [Fact]
    public async Task AnotherSilosViewSeesEveryChangeWithinItsRefreshPeriodOnSqlite()
    {
        using var dir = new TempDir();
        await using var database = AppDatabase.Create(new IptoOptions { DataDir = dir.Path });

        await SearchableViewChecks.AnotherSilosViewSeesEveryChangeWithinItsRefreshPeriodAsync(database);
    }
}
