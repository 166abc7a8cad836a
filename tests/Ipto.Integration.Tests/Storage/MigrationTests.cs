using Ipto.Grains.Hosting;
using Ipto.Grains.Storage;
using Ipto.Integration.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace Ipto.Integration.Tests.Storage;

public sealed class MigrationTests
{
    private static SchemaMigrator Migrator(string connectionString) => new(
        AppDatabase.Create(new IptoOptions { Mode = "cluster", Postgres = { ConnectionString = connectionString } }),
        NullLogger<SchemaMigrator>.Instance);

    private static int ScriptCount => SchemaMigrator.ScriptAssembly.GetManifestResourceNames()
        .Count(n => SchemaMigrator.ScriptGroups(SqlDialect.Postgres).Any(g => n.Contains(g, StringComparison.Ordinal)));

    [SkippableFact]
    public async Task MigrationsAppliedTwiceAreANoOp()
    {
        await using var database = await TestDatabase.CreateAsync();

        var first = await Migrator(database.ConnectionString).MigrateAsync(CancellationToken.None);
        var second = await Migrator(database.ConnectionString).MigrateAsync(CancellationToken.None);

        Assert.Equal(ScriptCount, first.Count);
        Assert.Contains(first, s => s.Contains(".orleans.", StringComparison.Ordinal));
        Assert.Contains(first, s => s.Contains(".app.", StringComparison.Ordinal));
        Assert.Empty(second);
        Assert.Equal(ScriptCount, await database.ScalarAsync<int>("SELECT count(*) FROM ipto_schema_versions"));
        Assert.True(await database.ScalarAsync<int>("SELECT count(*) FROM orleansquery") > 10);
        Assert.Equal(0, await database.ScalarAsync<int>("SELECT count(*) FROM jobs"));
    }

    [SkippableFact]
    public async Task ConcurrentStartersApplyEachScriptOnce()
    {
        await using var database = await TestDatabase.CreateAsync();

        var runs = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ =>
            Task.Run(() => Migrator(database.ConnectionString).MigrateAsync(CancellationToken.None))));

        Assert.Equal(ScriptCount, runs.Sum(r => r.Count));
        Assert.Equal(ScriptCount, await database.ScalarAsync<int>("SELECT count(*) FROM ipto_schema_versions"));
    }
}
