using Ipto.Grains.Storage;
using Ipto.Jobs;

namespace Ipto.Grains.Jobs;

/// <summary>The <c>jobs</c> read-model row; an older version never overwrites a newer one.</summary>
public sealed class JobProjection(AppDatabase database)
{
    public Task UpsertAsync(string jobId, JobState state) =>
        new VersionedRow("jobs", "job_id", jobId, state.Version)
            .Set("tenant_id", state.TenantId).Set("type", state.Type).Set("status", state.Status)
            .Set("created_at", state.CreatedAt).Set("updated_at", state.UpdatedAt)
            .WriteAsync(database);

    /// <summary>Ids of queued or running jobs after <paramref name="after"/> in id order (the job sweeper's page).</summary>
    public async Task<IReadOnlyList<string>> UnfinishedAsync(string? after, int limit)
    {
        await using var connection = await database.OpenAsync();
        await using var command = connection.Command(
                $"SELECT job_id FROM jobs WHERE status IN ('{JobStatuses.Queued}', '{JobStatuses.Running}')"
                + (after is null ? "" : " AND job_id > @after")
                + " ORDER BY job_id LIMIT @limit")
            .With("@limit", limit);
        if (after is not null) command.With("@after", after);
        var ids = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) ids.Add(reader.GetString(0));
        return ids;
    }

    /// <summary>Deletes a row that a start wrote before a state write that never happened (version 0, older than the cutoff).</summary>
    public async Task DeleteOrphanAsync(string jobId, DateTimeOffset createdBefore)
    {
        await using var connection = await database.OpenAsync();
        await using var command = connection.Command("DELETE FROM jobs WHERE job_id = @id AND version = 0 AND created_at < @before")
            .With("@id", jobId).With("@before", createdBefore.ToUniversalTime());
        await command.ExecuteNonQueryAsync();
    }
}
