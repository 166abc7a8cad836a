using System.Data.Common;
using System.Text.Json;
using Ipto.Grains.Storage;
using Ipto.Objects;

namespace Ipto.Grains.Search;

/// <summary>An object a shard holds: what its documents carry besides the chunk files' content.</summary>
public sealed record ShardObject(string ObjectId, string DatasetId, string TenantId, string Filename, string ContentType,
    DateTimeOffset UploadedAt, DateTimeOffset? ApprovedAt)
{
    public static ShardObject Of(ObjectSnapshot obj) =>
        new(obj.ObjectId, obj.DatasetId, obj.TenantId, obj.Filename, obj.ContentType.ToLowerInvariant(), obj.CreatedAt, obj.ReviewedAt);
}

/// <summary>
/// The durable side of the search shards: <c>index_shard_objects</c> lists what each shard holds (a rebuild re-reads
/// their chunk and vector files) and <c>index_shards</c> the generation its Lucene commits must carry. Every change
/// writes both in one transaction.
/// </summary>
public sealed class IndexShardStore(AppDatabase database)
{
    /// <summary>The shard's generation and the shard count it was placed under; null when never written (see <see cref="AdoptAsync"/>).</summary>
    public async Task<(long Generation, int ShardCount)?> GenerationAsync(int shard)
    {
        await using var connection = await database.OpenAsync();
        await using var command = connection.Command("SELECT generation, shard_count FROM index_shards WHERE shard = @shard").With("@shard", shard);
        await using var reader = await command.ExecuteReaderAsync();
        return await reader.ReadAsync() ? (reader.GetInt64(0), reader.GetInt32(1)) : null;
    }

    public async Task<IReadOnlyList<ShardObject>> ObjectsAsync(int shard)
    {
        await using var connection = await database.OpenAsync();
        await using var command = connection.Command("""
            SELECT object_id, dataset_id, tenant_id, filename, content_type, uploaded_at, approved_at
            FROM index_shard_objects WHERE shard = @shard ORDER BY object_id
            """).With("@shard", shard);
        var objects = new List<ShardObject>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            objects.Add(new ShardObject(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4),
                reader.GetUtcTimestamp(5)!.Value, reader.GetUtcTimestamp(6)));
        }

        return objects;
    }

    public Task SaveObjectAsync(int shard, int shardCount, ShardObject obj, long generation) => WriteAsync(shard, shardCount, generation,
        (connection, transaction) => UpsertObjectAsync(connection, transaction, shard, obj));

    private static async Task UpsertObjectAsync(DbConnection connection, DbTransaction transaction, int shard, ShardObject obj)
    {
        await using var command = connection.Command("""
            INSERT INTO index_shard_objects (shard, object_id, dataset_id, tenant_id, filename, content_type, uploaded_at, approved_at)
            VALUES (@shard, @object, @dataset, @tenant, @filename, @type, @uploaded, @approved)
            ON CONFLICT (shard, object_id) DO UPDATE SET dataset_id = excluded.dataset_id, tenant_id = excluded.tenant_id,
                filename = excluded.filename, content_type = excluded.content_type, uploaded_at = excluded.uploaded_at, approved_at = excluded.approved_at
            """, transaction)
            .With("@shard", shard).With("@object", obj.ObjectId).With("@dataset", obj.DatasetId).With("@tenant", obj.TenantId)
            .With("@filename", obj.Filename).With("@type", obj.ContentType).With("@uploaded", obj.UploadedAt).With("@approved", obj.ApprovedAt);
        await command.ExecuteNonQueryAsync();
    }

    public Task RemoveObjectAsync(int shard, int shardCount, string objectId, long generation) => WriteAsync(shard, shardCount, generation, async (connection, transaction) =>
    {
        await using var command = connection.Command("DELETE FROM index_shard_objects WHERE shard = @shard AND object_id = @object", transaction)
            .With("@shard", shard).With("@object", objectId);
        await command.ExecuteNonQueryAsync();
    });

    public Task RemoveDatasetAsync(int shard, int shardCount, string datasetId, long generation) => WriteAsync(shard, shardCount, generation, async (connection, transaction) =>
    {
        await using var command = connection.Command("DELETE FROM index_shard_objects WHERE shard = @shard AND dataset_id = @dataset", transaction)
            .With("@shard", shard).With("@dataset", datasetId);
        await command.ExecuteNonQueryAsync();
    });

    /// <summary>
    /// First activation of a shard on a platform that indexed per dataset before shards existed: takes over the active
    /// objects that this shard's placement owns (from the objects read model) and starts the shard at generation 1.
    /// </summary>
    public async Task<long> AdoptAsync(int shard, int shardCount)
    {
        var adopted = new List<ShardObject>();
        await using (var connection = await database.OpenAsync())
        {
            await using var command = connection.Command("SELECT document FROM objects WHERE status = @active").With("@active", ObjectStatuses.Active);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                var obj = JsonSerializer.Deserialize(reader.GetString(0), ProjectionJson.Default.ObjectSnapshot)!;
                if (Ipto.Search.IndexShards.Of(obj.DatasetId, obj.ObjectId, shardCount) == shard) adopted.Add(ShardObject.Of(obj));
            }
        }

        const long first = 1;
        await WriteAsync(shard, shardCount, first, async (connection, transaction) =>
        {
            foreach (var obj in adopted) await UpsertObjectAsync(connection, transaction, shard, obj);
        });
        return first;
    }

    private async Task WriteAsync(int shard, int shardCount, long generation, Func<DbConnection, DbTransaction, Task> change)
    {
        await using var connection = await database.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await change(connection, transaction);
        await using (var stamp = connection.Command("""
            INSERT INTO index_shards (shard, generation, shard_count) VALUES (@shard, @generation, @count)
            ON CONFLICT (shard) DO UPDATE SET generation = excluded.generation, shard_count = excluded.shard_count
            """, transaction).With("@shard", shard).With("@generation", generation).With("@count", shardCount))
            await stamp.ExecuteNonQueryAsync();
        await transaction.CommitAsync();
    }
}
