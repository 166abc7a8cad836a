namespace Ipto.Grains.Normalization;

/// <summary>Matches an object to an extractor by media type, falling back to the file extension.</summary>
public static class ContentTypes
{
    public static bool Matches(string contentType, string filename, IReadOnlyCollection<string> mediaTypes, IReadOnlyCollection<string> extensions)
    {
        var media = contentType.Split(';')[0].Trim().ToLowerInvariant();
        if (mediaTypes.Contains(media)) return true;
        var extension = Path.GetExtension(filename).ToLowerInvariant();
        return media is "application/octet-stream" or "" && extensions.Contains(extension);
    }
}

/// <summary>Writes records (CSV rows, JSON lines) as one chunk each, tracking offsets into the joined text.</summary>
public sealed class RecordWriter(ChunkSink sink)
{
    private long _offset;

    public long TextChars => _offset;

    public async Task WriteAsync(string text, long row)
    {
        var trimmed = text.Trim();
        if (trimmed.Length > 0)
            await sink.WriteAsync(new TextChunk(trimmed, new ChunkLocator(null, row, _offset, _offset + trimmed.Length, sink.Count)));
        _offset += trimmed.Length + 1; // records are joined by a newline in the object's extracted text
    }
}
