using Microsoft.Data.Sqlite;

namespace Ipto.Grains.Tests.Support;

/// <summary>Reads the embedded-mode SQLite read model directly, as a list endpoint would.</summary>
public static class ReadModel
{
    public static async Task<string?> JobStatusAsync(string dataDir, string jobId) =>
        (string?)await ScalarAsync(dataDir, "SELECT status FROM jobs WHERE job_id = $id", jobId);

    public static async Task<long?> DatasetVersionAsync(string dataDir, string datasetId) =>
        (long?)await ScalarAsync(dataDir, "SELECT version FROM datasets WHERE dataset_id = $id", datasetId);

    /// <summary>How many rows a query with one <c>$id</c> parameter counts (storage that has no reader of its own).</summary>
    public static async Task<long> CountAsync(string dataDir, string sql, string id) =>
        Convert.ToInt64(await ScalarAsync(dataDir, sql, id), System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The rows of a query with one <c>$id</c> parameter, each column as text.</summary>
    public static async Task<IReadOnlyList<string[]>> RowsAsync(string dataDir, string sql, string id)
    {
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(dataDir, "ipto.db")};Mode=ReadOnly;Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Parameters.AddWithValue("$id", id);
        var rows = new List<string[]>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
            rows.Add(Enumerable.Range(0, reader.FieldCount).Select(i => reader.IsDBNull(i) ? "" : reader.GetValue(i).ToString()!).ToArray());
        return rows;
    }

    private static async Task<object?> ScalarAsync(string dataDir, string sql, string id)
    {
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(dataDir, "ipto.db")};Mode=ReadOnly;Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Parameters.AddWithValue("$id", id);
        return await command.ExecuteScalarAsync();
    }

    /// <summary>Runs a statement against the read model (a fault injected by a test: a trigger that refuses a row).</summary>
    public static async Task ExecuteAsync(string dataDir, string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(dataDir, "ipto.db")};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }
}
