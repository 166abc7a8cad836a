using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization;
using Ipto.Search;

namespace Ipto.Grains.Search;

public sealed record StoredChunk(string Text, CitationLocator Locator);

/// <summary>
/// The chunk file an object's normalization writes and indexing, rebuilds and the review preview read: JSON lines of
/// <c>{"chunk_index", "text", "locator": {"page", "row", "char_start", "char_end", "chunk_index"}}</c>.
/// </summary>
public static class ChunkFile
{
    /// <summary>One chunk as its line (without the line break).</summary>
    public static string Line(string text, CitationLocator locator) =>
        JsonSerializer.Serialize(new ChunkLine(locator.ChunkIndex, text, new LocatorLine(locator.Page, locator.Row, locator.CharStart, locator.CharEnd, locator.ChunkIndex)),
            ChunkFileJson.Default.ChunkLine);

    public static async IAsyncEnumerable<StoredChunk> ReadAsync(Stream input, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using var reader = new StreamReader(input);
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.Length == 0) continue;
            var chunk = JsonSerializer.Deserialize(line, ChunkFileJson.Default.ChunkLine)
                        ?? throw new InvalidDataException("A chunk file line is null.");
            var l = chunk.Locator;
            yield return new StoredChunk(chunk.Text ?? "", new CitationLocator(l.Page, l.Row, l.CharStart, l.CharEnd, chunk.ChunkIndex));
        }
    }

    internal sealed record ChunkLine(int ChunkIndex, string? Text, LocatorLine Locator);

    internal sealed record LocatorLine(int? Page, long? Row, long CharStart, long CharEnd, int ChunkIndex);
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(ChunkFile.ChunkLine))]
internal sealed partial class ChunkFileJson : JsonSerializerContext;
