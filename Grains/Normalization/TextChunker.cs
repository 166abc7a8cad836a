namespace Ipto.Grains.Normalization;

/// <summary>Where a chunk came from: offsets into the object's extracted text, plus page or row when known.</summary>
public sealed record ChunkLocator(int? Page, long? Row, long CharStart, long CharEnd, int ChunkIndex);

public sealed record TextChunk(string Text, ChunkLocator Locator);

/// <summary>
/// Splits text into chunks of about <see cref="TargetLength"/> characters, preferring paragraph breaks, then sentence
/// ends, then spaces, and cutting hard only when a window has none. It reads from a <see cref="TextReader"/> with a
/// buffer of a few chunks, so memory stays bounded whatever the size of the text.
/// </summary>
public sealed class TextChunker(int targetLength = 1000)
{
    public int TargetLength { get; } = targetLength;
    private int MinLength => TargetLength * 6 / 10;
    private int MaxLength => TargetLength * 13 / 10;

    /// <summary>
    /// Chunks <paramref name="reader"/>, whose first character is at <paramref name="startOffset"/> of the object's
    /// extracted text; chunk indexes start at <paramref name="firstIndex"/>.
    /// </summary>
    public IEnumerable<TextChunk> Chunk(TextReader reader, long startOffset = 0, int firstIndex = 0, int? page = null)
    {
        var buffer = new System.Text.StringBuilder();
        var block = new char[4096];
        var bufferStart = startOffset;
        var index = firstIndex;
        var ended = false;
        while (true)
        {
            while (!ended && buffer.Length < MaxLength * 2)
            {
                var read = reader.Read(block, 0, block.Length);
                if (read == 0) ended = true;
                else buffer.Append(block, 0, read);
            }

            if (buffer.Length == 0) yield break;
            var take = ended && buffer.Length <= MaxLength ? buffer.Length : Cut(buffer);
            var raw = buffer.ToString(0, take);
            var leading = raw.Length - raw.TrimStart().Length;
            var text = raw.Trim();
            if (text.Length > 0)
            {
                var start = bufferStart + leading;
                yield return new TextChunk(text, new ChunkLocator(page, null, start, start + text.Length, index++));
            }

            buffer.Remove(0, take);
            bufferStart += take;
        }
    }

    /// <summary>How many characters of the buffer the next chunk takes.</summary>
    private int Cut(System.Text.StringBuilder buffer)
    {
        var limit = Math.Min(MaxLength, buffer.Length);
        var window = buffer.ToString(0, limit);
        var paragraph = window.LastIndexOf("\n\n", limit - 1, limit - MinLength, StringComparison.Ordinal);
        if (paragraph >= MinLength) return paragraph + 2;
        for (var i = limit - 1; i >= MinLength; i--)
        {
            if (window[i] is '.' or '!' or '?' or '。' && (i + 1 == limit || char.IsWhiteSpace(window[i + 1]))) return i + 1;
        }

        var space = window.LastIndexOf(' ', limit - 1, limit - MinLength);
        return space >= MinLength ? space + 1 : limit;
    }
}
