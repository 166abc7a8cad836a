using System.Reflection;
using DbUp;
using DbUp.Engine;
using DbUp.Engine.Output;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Ipto.Grains.Storage;

/// <summary>
/// Applies the versioned SQL scripts of deploy/sql (embedded in this assembly) with DbUp. In PostgreSQL a
/// session advisory lock serialises concurrent starters, so N processes starting at once apply each script once.
/// </summary>
public sealed class SchemaMigrator(AppDatabase database, ILogger<SchemaMigrator> logger)
{
    private const long AdvisoryLockKey = 0x1970_5EED_0001;
    private const string JournalTable = "ipto_schema_versions";

    public static readonly Assembly ScriptAssembly = typeof(SchemaMigrator).Assembly;

    /// <summary>Resource-name fragment of each script group, in the order they are applied.</summary>
    public static IReadOnlyList<string> ScriptGroups(SqlDialect dialect) => dialect == SqlDialect.Postgres
        ? [".Sql.postgres.orleans.", ".Sql.postgres.app."]
        : [".Sql.sqlite."];

    public async Task<IReadOnlyList<string>> MigrateAsync(CancellationToken cancellationToken)
    {
        if (database.Dialect == SqlDialect.Postgres)
        {
            await using var lockConnection = new NpgsqlConnection(database.ConnectionString);
            await lockConnection.OpenAsync(cancellationToken);
            await using (var take = new NpgsqlCommand($"SELECT pg_advisory_lock({AdvisoryLockKey})", lockConnection))
                await take.ExecuteNonQueryAsync(cancellationToken);
            try
            {
                return Apply();
            }
            finally
            {
                await using var release = new NpgsqlCommand($"SELECT pg_advisory_unlock({AdvisoryLockKey})", lockConnection);
                await release.ExecuteNonQueryAsync(CancellationToken.None);
            }
        }

        return Apply();
    }

    private List<string> Apply()
    {
        var applied = new List<string>();
        foreach (var group in ScriptGroups(database.Dialect))
        {
            var builder = database.Dialect == SqlDialect.Postgres
                ? DeployChanges.To.PostgresqlDatabase(database.ConnectionString).JournalToPostgresqlTable("public", JournalTable)
                : DeployChanges.To.SqliteDatabase(database.ConnectionString).JournalToSqliteTable(JournalTable);
            var engine = builder
                .WithScriptsEmbeddedInAssembly(ScriptAssembly, name => name.Contains(group, StringComparison.Ordinal))
                .WithTransactionPerScript()
                .LogTo(new DbUpLog(logger))
                .Build();
            var result = engine.PerformUpgrade();
            if (!result.Successful)
                throw new InvalidOperationException($"Schema migration failed in script '{result.ErrorScript?.Name}'.", result.Error);
            applied.AddRange(result.Scripts.Select(s => s.Name));
        }

        if (applied.Count > 0)
            logger.LogInformation("Applied {Count} schema scripts", applied.Count);
        return applied;
    }

    private sealed class DbUpLog(ILogger logger) : IUpgradeLog
    {
        public void LogTrace(string format, params object[] args) { }
        public void LogDebug(string format, params object[] args) { }
        public void LogInformation(string format, params object[] args) => logger.LogDebug("DbUp: {Message}", Format(format, args));
        public void LogWarning(string format, params object[] args) => logger.LogWarning("DbUp: {Message}", Format(format, args));
        public void LogError(string format, params object[] args) => logger.LogError("DbUp: {Message}", Format(format, args));
        public void LogError(Exception ex, string format, params object[] args) => logger.LogError(ex, "DbUp: {Message}", Format(format, args));

        private static string Format(string format, object[] args) =>
            args.Length == 0 ? format : string.Format(System.Globalization.CultureInfo.InvariantCulture, format, args);
    }
}
