using System.Data.Common;
using Ipto.Grains.Hosting;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Ipto.Grains.Storage;

public enum SqlDialect
{
    Sqlite = 0,
    Postgres = 1,
}

/// <summary>The read-model and ledger database: SQLite under the data dir in embedded mode, PostgreSQL in cluster mode.</summary>
public sealed class AppDatabase : IAsyncDisposable
{
    private readonly NpgsqlDataSource? _postgres;
    private readonly string? _sqliteConnectionString;
    private int _walSet;

    private AppDatabase(SqlDialect dialect, NpgsqlDataSource? postgres, string? sqliteConnectionString)
    {
        Dialect = dialect;
        _postgres = postgres;
        _sqliteConnectionString = sqliteConnectionString;
    }

    public SqlDialect Dialect { get; }

    /// <summary>The UTC day <c>YYYY-MM-DD</c> of a timestamp column: SQLite stores UTC text (date first), PostgreSQL a timestamptz.</summary>
    public string UtcDayOf(string column) => UtcDayOf(Dialect, column);

    public static string UtcDayOf(SqlDialect dialect, string column) => dialect == SqlDialect.Postgres
        ? $"to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD')"
        : $"substr({column}, 1, 10)";

    /// <summary>Ordering text by code point, as <see cref="StringComparer.Ordinal"/> does for everything but surrogate pairs (SQLite's default).</summary>
    public string BinaryCollation => Dialect == SqlDialect.Postgres ? " COLLATE \"C\"" : "";

    /// <summary>The UTC hour <c>YYYY-MM-DDTHH</c> of a timestamp column (SQLite's text has a space or a T after the date).</summary>
    public string UtcHourOf(string column) => Dialect == SqlDialect.Postgres
        ? $"to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24')"
        : $"substr({column}, 1, 10) || 'T' || substr({column}, 12, 2)";

    /// <summary>
    /// Within a read snapshot on PostgreSQL: plan index scans only. Rollup reads touch a range's edges by index ranges
    /// that hold few rows, but the planner cannot see that a tenant's share of the latest hour is small when other
    /// tenants wrote much in it (tenant and time are correlated), and then scans the whole ledger instead.
    /// </summary>
    public async Task PreferIndexScansAsync(DbConnection connection, DbTransaction snapshot)
    {
        if (Dialect != SqlDialect.Postgres) return;
        await using var set = connection.Command("SET LOCAL enable_seqscan = off", snapshot);
        await set.ExecuteNonQueryAsync();
    }

    /// <summary>Row locking for a read-then-write: PostgreSQL locks the rows read; SQLite's write transaction holds the whole database already.</summary>
    public string ForUpdate => Dialect == SqlDialect.Postgres ? " FOR UPDATE" : "";

    /// <summary>
    /// A read-only transaction whose statements all see one snapshot (PostgreSQL REPEATABLE READ; SQLite a deferred
    /// transaction, which in WAL mode reads one snapshot without taking the write lock).
    /// </summary>
    public async Task<DbTransaction> BeginSnapshotAsync(DbConnection connection, CancellationToken cancellationToken = default) =>
        connection is SqliteConnection sqlite
            ? sqlite.BeginTransaction(System.Data.IsolationLevel.Serializable, deferred: true)
            : await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellationToken);

    public static AppDatabase Create(IptoOptions options)
    {
        if (options.IsCluster)
            return new AppDatabase(SqlDialect.Postgres, NpgsqlDataSource.Create(options.Postgres.PooledConnectionString!), null);

        Directory.CreateDirectory(options.FullDataDir);
        var builder = new SqliteConnectionStringBuilder
        {
            DataSource = Path.Combine(options.FullDataDir, "ipto.db"),
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            DefaultTimeout = 30,
        };
        return new AppDatabase(SqlDialect.Sqlite, null, builder.ToString());
    }

    public string ConnectionString => _postgres?.ConnectionString ?? _sqliteConnectionString!;

    public async Task<DbConnection> OpenAsync(CancellationToken cancellationToken = default)
    {
        if (_postgres is not null)
            return await _postgres.OpenConnectionAsync(cancellationToken);

        var connection = new SqliteConnection(_sqliteConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var pragma = connection.CreateCommand();
        // Write-ahead logging (a property of the file, set once per process): a commit is one fsync of the log instead of
        // a rollback journal's several, and readers no longer wait for writers. synchronous = FULL keeps every commit durable.
        var wal = Interlocked.Exchange(ref _walSet, 1) == 0 ? "PRAGMA journal_mode = WAL; " : "";
        pragma.CommandText = "PRAGMA busy_timeout = 30000; " + wal + "PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL;";
        await pragma.ExecuteNonQueryAsync(cancellationToken);
        return connection;
    }

    public async Task<bool> PingAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT 1";
        return Convert.ToInt32(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture) == 1;
    }

    public async ValueTask DisposeAsync()
    {
        if (_postgres is not null) await _postgres.DisposeAsync();
    }
}

public static class DbCommandExtensions
{
    public static DbCommand With(this DbCommand command, string name, object? value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value ?? DBNull.Value;
        command.Parameters.Add(parameter);
        return command;
    }

    /// <summary>A UTC timestamp column in either dialect (SQLite gives text, Npgsql a UTC DateTime); null for NULL.</summary>
    public static DateTimeOffset? GetUtcTimestamp(this DbDataReader reader, int ordinal)
    {
        if (reader.IsDBNull(ordinal)) return null;
        return reader.GetValue(ordinal) switch
        {
            DateTime dt => new DateTimeOffset(DateTime.SpecifyKind(dt, DateTimeKind.Utc)),
            DateTimeOffset dto => dto.ToUniversalTime(),
            string text => DateTimeOffset.Parse(text, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal).ToUniversalTime(),
            var other => throw new InvalidOperationException($"Unexpected timestamp type {other.GetType().Name}."),
        };
    }

    public static DbCommand Command(this DbConnection connection, string sql, DbTransaction? transaction = null)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        return command;
    }
}
