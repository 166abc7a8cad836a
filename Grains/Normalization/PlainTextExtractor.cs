using System.Text;

namespace Ipto.Grains.Normalization;

/// <summary>Plain text and Markdown: decoded as UTF-8 (a BOM is honoured) and chunked as it streams.</summary>
public sealed class PlainTextExtractor : ITextExtractor
{
    private readonly TextChunker _chunker = new();

    public bool Handles(string contentType, string filename) =>
        ContentTypes.Matches(contentType, filename, ["text/plain", "text/markdown", "text/x-markdown"], [".txt", ".md", ".markdown"]);

    public async Task<ExtractionResult> ExtractAsync(Stream content, ChunkSink sink, CancellationToken cancellationToken)
    {
        using var reader = new CountingReader(new StreamReader(content, new UTF8Encoding(false), detectEncodingFromByteOrderMarks: true, leaveOpen: true));
        foreach (var chunk in _chunker.Chunk(reader))
        {
            cancellationToken.ThrowIfCancellationRequested();
            await sink.WriteAsync(chunk);
        }

        return new ExtractionResult(reader.Characters, null, sink.Count);
    }

    /// <summary>Counts the characters that pass through, for <c>extraction.text_chars</c>.</summary>
    private sealed class CountingReader(TextReader inner) : TextReader
    {
        public long Characters { get; private set; }

        public override int Read(char[] buffer, int index, int count)
        {
            var read = inner.Read(buffer, index, count);
            Characters += read;
            return read;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing) inner.Dispose();
            base.Dispose(disposing);
        }
    }
}
