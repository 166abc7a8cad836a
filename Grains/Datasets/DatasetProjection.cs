using System.Text.Json;
using Ipto.Datasets;
using Ipto.Grains.Storage;

namespace Ipto.Grains.Datasets;

/// <summary>The <c>datasets</c> read model: the owner's lists, filters and keyset pages. Older versions never win.</summary>
public sealed class DatasetProjection(AppDatabase database)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.General);

    public async Task UpsertAsync(DatasetSnapshot dataset, long version)
    {
        await using var connection = await database.OpenAsync();
        await using var command = connection.Command("""
            INSERT INTO datasets (dataset_id, tenant_id, status, visibility, document, version, updated_at)
            VALUES (@id, @tenant, @status, @visibility, @document, @version, @updated)
            ON CONFLICT (dataset_id) DO UPDATE SET status = excluded.status, visibility = excluded.visibility,
                document = excluded.document, version = excluded.version, updated_at = excluded.updated_at
            WHERE datasets.version < excluded.version
            """)
            .With("@id", dataset.DatasetId).With("@tenant", dataset.TenantId).With("@status", dataset.Status)
            .With("@visibility", dataset.Visibility).With("@document", JsonSerializer.Serialize(dataset, Json))
            .With("@version", version).With("@updated", dataset.UpdatedAt);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>A tenant's datasets, newest first, strictly after <paramref name="afterId"/> in that order.</summary>
    public async Task<IReadOnlyList<DatasetSnapshot>> ListAsync(string tenantId, string? status, string? visibility, string? afterId, int limit)
    {
        var sql = "SELECT document FROM datasets WHERE tenant_id = @tenant"
                  + (status is null ? "" : " AND status = @status")
                  + (visibility is null ? "" : " AND visibility = @visibility")
                  + (afterId is null ? "" : " AND dataset_id < @after")
                  + " ORDER BY dataset_id DESC LIMIT @limit";
        await using var connection = await database.OpenAsync();
        await using var command = connection.Command(sql)
            .With("@tenant", tenantId).With("@status", status).With("@visibility", visibility).With("@after", afterId).With("@limit", limit);
        var rows = new List<DatasetSnapshot>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
            rows.Add(JsonSerializer.Deserialize<DatasetSnapshot>(reader.GetString(0), Json)!);
        return rows;
    }
}
