using System.Data.Common;

namespace Ipto.Grains.Storage;

/// <summary>
/// One read-model row written from a grain's state under the state's version: inserted, or updated only when the
/// stored version is older, so a late or repeated projection never overwrites a newer one. Every projection writes
/// its rows this way; a new projection names its table, key and columns.
/// </summary>
public sealed class VersionedRow(string table, string keyColumn, object key, long version)
{
    private readonly List<(string Column, object? Value)> _columns = [];

    public VersionedRow Set(string column, object? value)
    {
        _columns.Add((column, value));
        return this;
    }

    /// <summary>Writes the row; false when a newer (or the same) version is already there.</summary>
    public async Task<bool> WriteAsync(DbConnection connection, DbTransaction? transaction = null)
    {
        var columns = _columns.Select(c => c.Column).Append("version").ToArray();
        var sql = $"INSERT INTO {table} ({keyColumn}, {string.Join(", ", columns)}) VALUES (@key, {string.Join(", ", columns.Select(c => "@" + c))}) "
                  + $"ON CONFLICT ({keyColumn}) DO UPDATE SET {string.Join(", ", columns.Select(c => $"{c} = excluded.{c}"))} "
                  + $"WHERE {table}.version < excluded.version";
        await using var command = connection.Command(sql, transaction).With("@key", key).With("@version", version);
        foreach (var (column, value) in _columns) command.With("@" + column, value);
        return await command.ExecuteNonQueryAsync() > 0;
    }

    /// <summary>Writes the row on a connection of its own.</summary>
    public async Task<bool> WriteAsync(AppDatabase database)
    {
        await using var connection = await database.OpenAsync();
        return await WriteAsync(connection);
    }
}
