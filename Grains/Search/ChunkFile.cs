using System.Runtime.CompilerServices;
using System.Text.Json;
using Ipto.Search;

namespace Ipto.Grains.Search;

public sealed record StoredChunk(string Text, CitationLocator Locator);

/// <summary>Reads the chunk file the normalization step wrote (JSON lines of <c>{chunk_index, text, locator}</c>).</summary>
public static class ChunkFile
{
    public static async IAsyncEnumerable<StoredChunk> ReadAsync(Stream input, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using var reader = new StreamReader(input);
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.Length == 0) continue;
            using var chunk = JsonDocument.Parse(line);
            var root = chunk.RootElement;
            var locator = root.GetProperty("locator");
            yield return new StoredChunk(root.GetProperty("text").GetString() ?? "", new CitationLocator(
                OptionalInt(locator, "page"), OptionalLong(locator, "row"),
                locator.GetProperty("char_start").GetInt64(), locator.GetProperty("char_end").GetInt64(),
                root.GetProperty("chunk_index").GetInt32()));
        }
    }

    private static int? OptionalInt(JsonElement parent, string name) =>
        parent.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetInt32() : null;

    private static long? OptionalLong(JsonElement parent, string name) =>
        parent.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetInt64() : null;
}
