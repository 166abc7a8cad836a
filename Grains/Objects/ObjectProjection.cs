using System.Text.Json;
using Ipto.Grains.Outbox;
using Ipto.Grains.Storage;
using Ipto.Objects;

namespace Ipto.Grains.Objects;

/// <summary>The <c>objects</c> read model (a dataset's object list, later the review queue); older versions never win.</summary>
public sealed class ObjectProjection(AppDatabase database)
{
    /// <summary>The object's row and its pending events, in one transaction (an event is in the outbox once a projection after it is).</summary>
    public async Task UpsertAsync(ObjectSnapshot obj, long version, IReadOnlyList<OutboxEvent> events)
    {
        await using var connection = await database.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await new VersionedRow("objects", "object_id", obj.ObjectId, version)
            .Set("dataset_id", obj.DatasetId).Set("tenant_id", obj.TenantId).Set("status", obj.Status).Set("review_state", obj.ReviewState)
            .Set("document", JsonSerializer.Serialize(obj, ProjectionJson.Default.ObjectSnapshot)).Set("updated_at", obj.UpdatedAt)
            .WriteAsync(connection, transaction);
        await OutboxWriter.AppendAsync(connection, transaction, events);
        await transaction.CommitAsync();
    }

    /// <summary>A dataset's objects, newest first, with optional status and review filters.</summary>
    public async Task<IReadOnlyList<ObjectSnapshot>> ListByDatasetAsync(string datasetId, string? status, string? reviewState, string? afterId, int limit)
    {
        var sql = "SELECT document FROM objects WHERE dataset_id = @dataset"
                  + (status is null ? "" : " AND status = @status")
                  + (reviewState is null ? "" : " AND review_state = @review")
                  + (afterId is null ? "" : " AND object_id < @after")
                  + " ORDER BY object_id DESC LIMIT @limit";
        await using var connection = await database.OpenAsync();
        await using var command = connection.Command(sql)
            .With("@dataset", datasetId).With("@status", status).With("@review", reviewState).With("@after", afterId).With("@limit", limit);
        var rows = new List<ObjectSnapshot>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) rows.Add(JsonSerializer.Deserialize(reader.GetString(0), ProjectionJson.Default.ObjectSnapshot)!);
        return rows;
    }

    /// <summary>The review queue, oldest first, with each object's dataset name and the total for the filter.</summary>
    public async Task<(IReadOnlyList<(ObjectSnapshot Object, string DatasetName)> Rows, long Total)> ListForReviewAsync(
        string reviewState, string? tenantId, string? datasetId, string? afterId, int limit)
    {
        var filter = " WHERE o.review_state = @review"
                     + (tenantId is null ? "" : " AND o.tenant_id = @tenant")
                     + (datasetId is null ? "" : " AND o.dataset_id = @dataset");
        await using var connection = await database.OpenAsync();
        long total;
        await using (var count = connection.Command("SELECT count(*) FROM objects o" + filter)
                         .With("@review", reviewState).With("@tenant", tenantId).With("@dataset", datasetId))
            total = Convert.ToInt64(await count.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);

        await using var command = connection.Command("SELECT o.document, d.document FROM objects o LEFT JOIN datasets d ON d.dataset_id = o.dataset_id"
                                                     + filter + (afterId is null ? "" : " AND o.object_id > @after") + " ORDER BY o.object_id LIMIT @limit")
            .With("@review", reviewState).With("@tenant", tenantId).With("@dataset", datasetId).With("@after", afterId).With("@limit", limit);
        var rows = new List<(ObjectSnapshot, string)>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            var obj = JsonSerializer.Deserialize(reader.GetString(0), ProjectionJson.Default.ObjectSnapshot)!;
            var name = "";
            if (!reader.IsDBNull(1))
            {
                name = JsonSerializer.Deserialize(reader.GetString(1), ProjectionJson.Default.DatasetSnapshot)!.Name;
            }

            rows.Add((obj, name));
        }

        return (rows, total);
    }

    /// <summary>Up to <paramref name="limit"/> ids of a dataset's objects that are not tombstones yet (for the dataset's purge).</summary>
    public async Task<IReadOnlyList<string>> LiveObjectIdsAsync(string datasetId, int limit)
    {
        await using var connection = await database.OpenAsync();
        await using var command = connection.Command("SELECT object_id FROM objects WHERE dataset_id = @dataset AND status <> 'deleted' ORDER BY object_id LIMIT @limit")
            .With("@dataset", datasetId).With("@limit", limit);
        var ids = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) ids.Add(reader.GetString(0));
        return ids;
    }
}
