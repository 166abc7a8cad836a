using Microsoft.Data.Sqlite;

namespace Ipto.Grains.Tests.Support;

/// <summary>Reads the embedded-mode SQLite read model directly, as a list endpoint would.</summary>
public static class ReadModel
{
    public static async Task<string?> JobStatusAsync(string dataDir, string jobId)
    {
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(dataDir, "ipto.db")};Mode=ReadOnly;Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT status FROM jobs WHERE job_id = $id";
        command.Parameters.AddWithValue("$id", jobId);
        return (string?)await command.ExecuteScalarAsync();
    }
}
