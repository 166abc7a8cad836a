using System.Text.Json;
using System.Text.Json.Serialization;
using Ipto.Grains.ObjectStore;

namespace Ipto.Grains.Search;

/// <summary>
/// A shard's last uploaded commit: the Lucene files it consists of (segment files are immutable and, within one
/// lineage of an index, never reuse a name) and the generation that commit carries.
/// </summary>
public sealed record ShardManifest(
    [property: JsonPropertyName("lineage")] string Lineage,
    [property: JsonPropertyName("generation")] long Generation,
    [property: JsonPropertyName("format")] string Format,
    [property: JsonPropertyName("files")] IReadOnlyList<string> Files);

[JsonSerializable(typeof(ShardManifest))]
internal sealed partial class ShardManifestJson : JsonSerializerContext;

/// <summary>
/// Segment snapshots of the search shards in the object store, under <c>search-shards/{shard}/</c>: the files of a
/// lineage (one local index and everything restored from it) and <c>manifest.json</c>, written last, naming the files
/// of the newest complete snapshot. A snapshot uploads only the files the previous one lacked.
/// </summary>
public sealed class ShardSnapshots(IObjectStore store)
{
    private static string Prefix(int shard) => $"search-shards/{shard.ToString(System.Globalization.CultureInfo.InvariantCulture)}/";

    private static string ManifestKey(int shard) => Prefix(shard) + "manifest.json";

    private static string FileKey(int shard, string lineage, string file) => $"{Prefix(shard)}{lineage}/{file}";

    public async Task<ShardManifest?> ManifestAsync(int shard, CancellationToken cancellationToken)
    {
        try
        {
            await using var input = await store.OpenReadAsync(ManifestKey(shard), cancellationToken);
            return await JsonSerializer.DeserializeAsync(input, ShardManifestJson.Default.ShardManifest, cancellationToken);
        }
        catch (ObjectNotFoundException)
        {
            return null;
        }
    }

    /// <summary>Uploads the files <paramref name="previous"/> does not have, then the manifest; then forgets the files only the previous one named.</summary>
    public async Task UploadAsync(int shard, string directory, ShardManifest manifest, ShardManifest? previous, CancellationToken cancellationToken)
    {
        var uploaded = previous is not null && previous.Lineage == manifest.Lineage ? previous.Files.ToHashSet(StringComparer.Ordinal) : [];
        foreach (var file in manifest.Files.Where(f => !uploaded.Contains(f)))
        {
            await using var input = new FileStream(Path.Combine(directory, file), FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous);
            await store.WriteAsync(FileKey(shard, manifest.Lineage, file), input, "application/octet-stream", cancellationToken);
        }

        using (var body = new MemoryStream(JsonSerializer.SerializeToUtf8Bytes(manifest, ShardManifestJson.Default.ShardManifest)))
            await store.WriteAsync(ManifestKey(shard), body, "application/json", cancellationToken);

        if (previous is null) return;
        var kept = manifest.Lineage == previous.Lineage ? manifest.Files.ToHashSet(StringComparer.Ordinal) : [];
        foreach (var file in previous.Files.Where(f => !kept.Contains(f)))
            await store.DeleteAsync(FileKey(shard, previous.Lineage, file), cancellationToken);
    }

    /// <summary>Downloads a snapshot's files into an empty directory.</summary>
    public async Task DownloadAsync(int shard, ShardManifest manifest, string directory, CancellationToken cancellationToken)
    {
        foreach (var file in manifest.Files)
        {
            await using var input = await store.OpenReadAsync(FileKey(shard, manifest.Lineage, file), cancellationToken);
            await using var output = new FileStream(Path.Combine(directory, file), FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous);
            await input.CopyToAsync(output, cancellationToken);
        }
    }
}
