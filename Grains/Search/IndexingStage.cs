using Ipto.Grains.Normalization;
using Ipto.Grains.ObjectStore;
using Ipto.Objects;
using Ipto.Search;

namespace Ipto.Grains.Search;

/// <summary>
/// The indexing step of ingestion: hands an approved object to the search shard that holds it (lexical search finds it
/// from then on, with vectors if a resumed job already wrote them), then, as the follow-up, embeds its chunks (in
/// batches, off the request path) into a vector file beside the chunk file, which the object's grain has its shard
/// index again; on deletion the object leaves its shard. A complete vector file is reused, so a resumed job does not
/// embed twice.
/// </summary>
public sealed class IndexingStage(IndexShardMap shards, IObjectStore store, ITextEmbedder embedder) : IIngestionStage
{
    private const int Batch = 64;

    public async Task IngestAsync(ObjectSnapshot obj, CancellationToken cancellationToken) =>
        await shards.For(obj.DatasetId, obj.ObjectId).IndexObject(obj);

    public Task FollowUpAsync(ObjectSnapshot obj, CancellationToken cancellationToken) =>
        EnsureVectorsAsync(store, embedder, obj.DatasetId, obj.ObjectId, cancellationToken);

    public Task RemoveAsync(ObjectSnapshot obj, CancellationToken cancellationToken) =>
        shards.For(obj.DatasetId, obj.ObjectId).RemoveObject(obj.ObjectId);

    /// <summary>Streams the chunks in batches through the embedder into a temporary file, so memory stays bounded.</summary>
    public static async Task EnsureVectorsAsync(IObjectStore store, ITextEmbedder embedder, string datasetId, string objectId, CancellationToken cancellationToken)
    {
        var key = ObjectKeys.ObjectVectors(datasetId, objectId);
        var chunksKey = ObjectKeys.ObjectChunks(datasetId, objectId);
        // A resumed job finds the file complete (one vector per chunk) and embeds nothing again.
        if (await store.HeadAsync(key, cancellationToken) is { } existing
            && existing.SizeBytes == VectorFile.SizeOf(embedder.Dimensions, await CountChunksAsync(store, chunksKey, cancellationToken)))
            return;

        var temp = Path.GetTempFileName();
        try
        {
            await using (var output = new FileStream(temp, FileMode.Create, FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.Asynchronous))
            {
                await using var writer = await VectorFile.OpenWriterAsync(output, embedder.Dimensions, cancellationToken);
                var batch = new List<string>(Batch);
                await using (var chunks = await store.OpenReadAsync(chunksKey, cancellationToken))
                {
                    await foreach (var chunk in ChunkFile.ReadAsync(chunks, cancellationToken))
                    {
                        batch.Add(chunk.Text);
                        if (batch.Count == Batch) await FlushAsync();
                    }
                }

                await FlushAsync();

                async Task FlushAsync()
                {
                    if (batch.Count == 0) return;
                    foreach (var vector in embedder.Embed(batch)) await writer.AppendAsync(vector, cancellationToken);
                    batch.Clear();
                }
            }

            await using var input = new FileStream(temp, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous);
            await store.WriteAsync(key, input, "application/octet-stream", cancellationToken);
        }
        finally
        {
            File.Delete(temp);
        }
    }

    private static async Task<int> CountChunksAsync(IObjectStore store, string chunksKey, CancellationToken cancellationToken)
    {
        var count = 0;
        await using var chunks = await store.OpenReadAsync(chunksKey, cancellationToken);
        await foreach (var _ in ChunkFile.ReadAsync(chunks, cancellationToken)) count++;
        return count;
    }
}
