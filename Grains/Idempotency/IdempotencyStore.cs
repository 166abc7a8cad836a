using System.Data.Common;
using Ipto.Grains.Storage;
using Ipto.Idempotency;

namespace Ipto.Grains.Idempotency;

/// <summary>What one Idempotency-Key holds: the first attempt's fingerprint and id seed, and the response once stored.</summary>
public sealed record IdempotencyRecord(string Fingerprint, DateTimeOffset FirstStartedAt, byte[] IdSeed, DateTimeOffset ExpiresAt, StoredResponse? Response);

/// <summary>
/// The <c>idempotency_records</c> table. Records live in an app table rather than grain state so that expired ones
/// are deleted by one indexed statement per batch instead of a grain call each.
/// </summary>
public sealed class IdempotencyStore(AppDatabase database)
{
    private const string Columns =
        "grain_key, fingerprint, first_started_at, id_seed, expires_at, response_status, response_content_type, response_location, response_body";

    private const string Values = "@key, @fingerprint, @started, @seed, @expires, @status, @content_type, @location, @body";

    private const string SetAll = """
        fingerprint = excluded.fingerprint, first_started_at = excluded.first_started_at, id_seed = excluded.id_seed,
        expires_at = excluded.expires_at, response_status = excluded.response_status,
        response_content_type = excluded.response_content_type, response_location = excluded.response_location,
        response_body = excluded.response_body
        """;

    public async Task<IdempotencyRecord?> FindAsync(string key)
    {
        await using var connection = await database.OpenAsync();
        await using var command = connection.Command($"SELECT {Columns} FROM idempotency_records WHERE grain_key = @key").With("@key", key);
        await using var reader = await command.ExecuteReaderAsync();
        if (!await reader.ReadAsync()) return null;
        var response = reader.IsDBNull(5)
            ? null
            : new StoredResponse(reader.GetInt32(5), NullableString(reader, 6), NullableString(reader, 7), (byte[])reader.GetValue(8));
        return new IdempotencyRecord(reader.GetString(1), reader.GetUtcTimestamp(2)!.Value, (byte[])reader.GetValue(3),
            reader.GetUtcTimestamp(4)!.Value, response);
    }

    /// <summary>Writes a first attempt's record, replacing an expired one; false when a live record holds the key.</summary>
    public async Task<bool> TryCreateAsync(string key, IdempotencyRecord record, DateTimeOffset now)
    {
        await using var connection = await database.OpenAsync();
        await using var command = Bind(connection.Command($"""
            INSERT INTO idempotency_records ({Columns}) VALUES ({Values})
            ON CONFLICT (grain_key) DO UPDATE SET {SetAll}
            WHERE idempotency_records.expires_at <= @now
            """), key, record).With("@now", now.ToUniversalTime());
        return await command.ExecuteNonQueryAsync() == 1;
    }

    public async Task SaveAsync(string key, IdempotencyRecord record)
    {
        await using var connection = await database.OpenAsync();
        await using var command = Bind(connection.Command($"""
            INSERT INTO idempotency_records ({Columns}) VALUES ({Values})
            ON CONFLICT (grain_key) DO UPDATE SET {SetAll}
            """), key, record);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>Deletes up to <paramref name="limit"/> records that expired before <paramref name="now"/>, oldest first.</summary>
    public async Task<int> DeleteExpiredAsync(DateTimeOffset now, int limit)
    {
        await using var connection = await database.OpenAsync();
        // The outer expires_at test is re-checked against a row the grain rewrote meanwhile (PostgreSQL re-evaluates
        // it after the row lock), so a key that just started again is not deleted with its old record.
        await using var command = connection.Command("""
            DELETE FROM idempotency_records
            WHERE grain_key IN (SELECT grain_key FROM idempotency_records WHERE expires_at < @now ORDER BY expires_at LIMIT @limit)
              AND expires_at < @now
            """).With("@now", now.ToUniversalTime()).With("@limit", limit);
        return await command.ExecuteNonQueryAsync();
    }

    private static DbCommand Bind(DbCommand command, string key, IdempotencyRecord record) => command
        .With("@key", key).With("@fingerprint", record.Fingerprint).With("@started", record.FirstStartedAt.ToUniversalTime())
        .With("@seed", record.IdSeed).With("@expires", record.ExpiresAt.ToUniversalTime())
        .With("@status", record.Response?.StatusCode).With("@content_type", record.Response?.ContentType)
        .With("@location", record.Response?.Location).With("@body", record.Response?.EncryptedBody);

    private static string? NullableString(DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);
}
