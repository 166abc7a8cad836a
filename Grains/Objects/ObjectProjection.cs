using System.Text.Json;
using Ipto.Grains.Storage;
using Ipto.Objects;

namespace Ipto.Grains.Objects;

/// <summary>The <c>objects</c> read model (a dataset's object list, later the review queue); older versions never win.</summary>
public sealed class ObjectProjection(AppDatabase database)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.General);

    public async Task UpsertAsync(ObjectSnapshot obj, long version)
    {
        await using var connection = await database.OpenAsync();
        await using var command = connection.Command("""
            INSERT INTO objects (object_id, dataset_id, tenant_id, status, review_state, document, version, updated_at)
            VALUES (@id, @dataset, @tenant, @status, @review, @document, @version, @updated)
            ON CONFLICT (object_id) DO UPDATE SET status = excluded.status, review_state = excluded.review_state,
                document = excluded.document, version = excluded.version, updated_at = excluded.updated_at
            WHERE objects.version < excluded.version
            """)
            .With("@id", obj.ObjectId).With("@dataset", obj.DatasetId).With("@tenant", obj.TenantId).With("@status", obj.Status)
            .With("@review", obj.ReviewState).With("@document", JsonSerializer.Serialize(obj, Json)).With("@version", version)
            .With("@updated", obj.UpdatedAt);
        await command.ExecuteNonQueryAsync();
    }
}
