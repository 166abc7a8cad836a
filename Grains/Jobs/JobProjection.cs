using Ipto.Grains.Storage;

namespace Ipto.Grains.Jobs;

/// <summary>The <c>jobs</c> read-model row; an older version never overwrites a newer one.</summary>
public sealed class JobProjection(AppDatabase database)
{
    public async Task UpsertAsync(string jobId, JobState state)
    {
        await using var connection = await database.OpenAsync();
        await using var command = connection.Command("""
            INSERT INTO jobs (job_id, tenant_id, type, status, version, created_at, updated_at)
            VALUES (@id, @tenant, @type, @status, @version, @created, @updated)
            ON CONFLICT (job_id) DO UPDATE SET status = excluded.status, version = excluded.version, updated_at = excluded.updated_at
            WHERE jobs.version < excluded.version
            """)
            .With("@id", jobId).With("@tenant", state.TenantId).With("@type", state.Type).With("@status", state.Status)
            .With("@version", state.Version).With("@created", state.CreatedAt).With("@updated", state.UpdatedAt);
        await command.ExecuteNonQueryAsync();
    }
}
