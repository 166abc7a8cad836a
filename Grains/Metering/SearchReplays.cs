using Ipto.Grains.Storage;

namespace Ipto.Grains.Metering;

/// <summary>
/// The pages idempotent searches served (written by the ledger writer with their search activity): read by a retry,
/// deleted by the idempotency sweeper once the Idempotency-Key's retention has passed.
/// </summary>
public sealed class SearchReplays(AppDatabase database)
{
    /// <summary>The page, while it is kept (null when that search was never recorded).</summary>
    public async Task<byte[]?> FindAsync(string searchActivityId)
    {
        await using var connection = await database.OpenAsync();
        await using var command = connection.Command("SELECT page FROM search_replays WHERE search_activity_id = @id").With("@id", searchActivityId);
        return await command.ExecuteScalarAsync() as byte[];
    }

    /// <summary>Deletes up to <paramref name="limit"/> expired pages, oldest first; returns how many.</summary>
    public async Task<int> DeleteExpiredAsync(DateTimeOffset now, int limit)
    {
        await using var connection = await database.OpenAsync();
        await using var command = connection.Command("""
            DELETE FROM search_replays
            WHERE search_activity_id IN (SELECT search_activity_id FROM search_replays WHERE expires_at < @now ORDER BY expires_at LIMIT @limit)
            """).With("@now", now.ToUniversalTime()).With("@limit", limit);
        return await command.ExecuteNonQueryAsync();
    }
}
