using System.Text;
using AngleSharp.Html.Parser;
using DocumentFormat.OpenXml.Packaging;
using UglyToad.PdfPig;
using UglyToad.PdfPig.Core;

namespace Ipto.Grains.Normalization;

/// <summary>HTML: the visible text (no scripts, styles or templates), chunked like plain text.</summary>
public sealed class HtmlExtractor : ITextExtractor
{
    private readonly TextChunker _chunker = new();

    public bool Handles(string contentType, string filename) =>
        ContentTypes.Matches(contentType, filename, ["text/html", "application/xhtml+xml"], [".html", ".htm", ".xhtml"]);

    public async Task<ExtractionResult> ExtractAsync(Stream content, ChunkSink sink, CancellationToken cancellationToken)
    {
        var document = await new HtmlParser().ParseDocumentAsync(content, cancellationToken);
        foreach (var hidden in document.QuerySelectorAll("script, style, noscript, template, head").ToArray()) hidden.Remove();
        var text = new StringBuilder();
        foreach (var block in (document.Body?.TextContent ?? "").Split('\n'))
        {
            var line = string.Join(' ', block.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
            if (line.Length > 0) text.Append(line).Append("\n\n");
        }

        var visible = text.ToString().TrimEnd();
        foreach (var chunk in _chunker.Chunk(new StringReader(visible))) await sink.WriteAsync(chunk);
        return new ExtractionResult(visible.Length, null, sink.Count);
    }
}

/// <summary>PDF (PdfPig): text page by page, locator = page number; the file is spooled to disk, pages read one at a time.</summary>
public sealed class PdfExtractor : ITextExtractor
{
    private readonly TextChunker _chunker = new();

    public bool Handles(string contentType, string filename) => ContentTypes.Matches(contentType, filename, ["application/pdf"], [".pdf"]);

    public async Task<ExtractionResult> ExtractAsync(Stream content, ChunkSink sink, CancellationToken cancellationToken)
    {
        await using var spool = await TempSpool.CreateAsync(content, cancellationToken);
        try
        {
            using var pdf = PdfDocument.Open(spool.Path);
            long offset = 0;
            foreach (var page in pdf.GetPages())
            {
                cancellationToken.ThrowIfCancellationRequested();
                var text = page.Text;
                foreach (var chunk in _chunker.Chunk(new StringReader(text), offset, sink.Count, page.Number)) await sink.WriteAsync(chunk);
                offset += text.Length + 1; // pages are joined by a newline in the extracted text
            }

            return new ExtractionResult(Math.Max(0, offset - 1), pdf.NumberOfPages, sink.Count);
        }
        catch (Exception e) when (e is PdfDocumentFormatException or InvalidOperationException or ArgumentException or IndexOutOfRangeException)
        {
            throw new MalformedFileException($"the PDF cannot be read ({e.GetType().Name})");
        }
    }
}

/// <summary>DOCX (Open XML SDK): the body's paragraphs, chunked like plain text.</summary>
public sealed class DocxExtractor : ITextExtractor
{
    private readonly TextChunker _chunker = new();

    public bool Handles(string contentType, string filename) =>
        ContentTypes.Matches(contentType, filename, ["application/vnd.openxmlformats-officedocument.wordprocessingml.document"], [".docx"]);

    public async Task<ExtractionResult> ExtractAsync(Stream content, ChunkSink sink, CancellationToken cancellationToken)
    {
        await using var spool = await TempSpool.CreateAsync(content, cancellationToken);
        string text;
        try
        {
            using var document = WordprocessingDocument.Open(spool.Path, false);
            var body = document.MainDocumentPart?.Document?.Body;
            text = body is null ? "" : string.Join("\n\n", body.Descendants<DocumentFormat.OpenXml.Wordprocessing.Paragraph>()
                .Select(p => p.InnerText).Where(t => t.Trim().Length > 0));
        }
        catch (Exception e) when (e is OpenXmlPackageException or InvalidDataException or System.Xml.XmlException or FileFormatException)
        {
            throw new MalformedFileException($"the DOCX cannot be read ({e.GetType().Name})");
        }

        foreach (var chunk in _chunker.Chunk(new StringReader(text))) await sink.WriteAsync(chunk);
        return new ExtractionResult(text.Length, null, sink.Count);
    }
}

/// <summary>A temporary copy of a stream on disk, for parsers that need to seek; deleted on dispose.</summary>
internal sealed class TempSpool : IAsyncDisposable
{
    private TempSpool(string path) => Path = path;

    public string Path { get; }

    public static async Task<TempSpool> CreateAsync(Stream content, CancellationToken cancellationToken)
    {
        var spool = new TempSpool(System.IO.Path.GetTempFileName());
        await using var file = new FileStream(spool.Path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
        await content.CopyToAsync(file, cancellationToken);
        return spool;
    }

    public ValueTask DisposeAsync()
    {
        File.Delete(Path);
        return ValueTask.CompletedTask;
    }
}
