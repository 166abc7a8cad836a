using System.Text;
using System.Text.Json;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Wordprocessing;
using Ipto.Grains.Normalization;
using UglyToad.PdfPig.Core;
using UglyToad.PdfPig.Fonts.Standard14Fonts;
using UglyToad.PdfPig.Writer;

namespace Ipto.Domain.Tests.Normalization;

public sealed class ExtractorTests
{
    private static async Task<(ExtractionResult Result, List<JsonElement> Chunks)> RunAsync(ITextExtractor extractor, byte[] bytes)
    {
        var output = new StringWriter();
        var result = await extractor.ExtractAsync(new MemoryStream(bytes), new ChunkSink(output), CancellationToken.None);
        var chunks = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        return (result, chunks);
    }

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    [Fact]
    public async Task CsvRowsBecomeOneChunkEachWithRowLocators()
    {
        var (result, chunks) = await RunAsync(new DelimitedTextExtractor(), Utf8("name,city\nAda,London\n\"Grace, RAdm\",\"New York\"\n"));

        Assert.Equal(2, result.Chunks);
        Assert.Equal("name: Ada\ncity: London", chunks[0].GetProperty("text").GetString());
        Assert.Equal(1, chunks[0].GetProperty("locator").GetProperty("row").GetInt64());
        Assert.Equal("name: Grace, RAdm\ncity: New York", chunks[1].GetProperty("text").GetString());
        Assert.Equal(2, chunks[1].GetProperty("locator").GetProperty("row").GetInt64());
        Assert.True(chunks[1].GetProperty("locator").GetProperty("char_start").GetInt64() > chunks[0].GetProperty("locator").GetProperty("char_end").GetInt64());
    }

    [Fact]
    public async Task TsvIsRecognisedByItsTabs()
    {
        var (_, chunks) = await RunAsync(new DelimitedTextExtractor(), Utf8("a\tb\n1\t2\n"));

        Assert.Equal("a: 1\nb: 2", Assert.Single(chunks).GetProperty("text").GetString());
    }

    [Fact]
    public async Task JsonLinesAreRecordsAndABadLineFails()
    {
        var (result, chunks) = await RunAsync(new JsonLinesExtractor(), Utf8("{\"q\":\"first\"}\n\n{\"q\":\"second\"}\n"));
        Assert.Equal(2, result.Chunks);
        Assert.Equal(3, chunks[1].GetProperty("locator").GetProperty("row").GetInt64());

        var error = await Assert.ThrowsAsync<MalformedFileException>(() => RunAsync(new JsonLinesExtractor(), Utf8("{\"ok\":1}\n{broken\n")));
        Assert.Contains("line 2", error.Message);
    }

    [Fact]
    public async Task JsonArrayElementsAreRecordsAndMalformedJsonFails()
    {
        var (result, chunks) = await RunAsync(new JsonDocumentExtractor(), Utf8("[{\"a\":1},{\"a\":2},{\"a\":3}]"));
        Assert.Equal(3, result.Chunks);
        Assert.Equal("{\"a\":2}", chunks[1].GetProperty("text").GetString());

        await Assert.ThrowsAsync<MalformedFileException>(() => RunAsync(new JsonDocumentExtractor(), Utf8("{\"a\": ")));
    }

    [Fact]
    public async Task HtmlKeepsOnlyVisibleText()
    {
        var html = "<html><head><title>T</title><style>.x{color:red}</style></head><body><h1>Court rulings</h1>"
                   + "<script>var secret = 1;</script><p>The appeal was <b>granted</b>.</p><noscript>enable js</noscript></body></html>";

        var (result, chunks) = await RunAsync(new HtmlExtractor(), Utf8(html));

        var text = Assert.Single(chunks).GetProperty("text").GetString()!;
        Assert.Contains("Court rulings", text);
        Assert.Contains("The appeal was granted.", text);
        Assert.DoesNotContain("secret", text);
        Assert.DoesNotContain("color", text);
        Assert.DoesNotContain("enable js", text);
        Assert.Equal(1, result.Chunks);
    }

    [Fact]
    public async Task PdfTextIsExtractedPerPage()
    {
        var builder = new PdfDocumentBuilder();
        var font = builder.AddStandard14Font(Standard14Font.Helvetica);
        builder.AddPage(UglyToad.PdfPig.Content.PageSize.A4).AddText("Maritime insurance clauses", 12, new PdfPoint(50, 700), font);
        builder.AddPage(UglyToad.PdfPig.Content.PageSize.A4).AddText("Second page about cargo", 12, new PdfPoint(50, 700), font);

        var (result, chunks) = await RunAsync(new PdfExtractor(), builder.Build());

        Assert.Equal(2, result.Pages);
        Assert.Equal(2, result.Chunks);
        Assert.Contains("Maritime", chunks[0].GetProperty("text").GetString());
        Assert.Equal(1, chunks[0].GetProperty("locator").GetProperty("page").GetInt32());
        Assert.Contains("cargo", chunks[1].GetProperty("text").GetString());
        Assert.Equal(2, chunks[1].GetProperty("locator").GetProperty("page").GetInt32());
    }

    [Fact]
    public async Task MalformedPdfFails() =>
        await Assert.ThrowsAsync<MalformedFileException>(() => RunAsync(new PdfExtractor(), Utf8("%PDF-1.7 this is not really a pdf")));

    [Fact]
    public async Task DocxParagraphsAreExtracted()
    {
        using var stream = new MemoryStream();
        using (var document = WordprocessingDocument.Create(stream, WordprocessingDocumentType.Document))
        {
            var main = document.AddMainDocumentPart();
            main.Document = new Document(new Body(
                new Paragraph(new Run(new Text("Clinical trial summary"))),
                new Paragraph(new Run(new Text("Patients improved in week four.")))));
        }

        var (result, chunks) = await RunAsync(new DocxExtractor(), stream.ToArray());

        var text = Assert.Single(chunks).GetProperty("text").GetString()!;
        Assert.Equal("Clinical trial summary\n\nPatients improved in week four.", text);
        Assert.Equal(text.Length, result.TextChars);
    }

    [Fact]
    public async Task MalformedDocxFails() =>
        await Assert.ThrowsAsync<MalformedFileException>(() => RunAsync(new DocxExtractor(), Utf8("PK not a zip at all")));

    [Theory]
    [InlineData("text/csv", "x.bin", typeof(DelimitedTextExtractor))]
    [InlineData("application/octet-stream", "data.tsv", typeof(DelimitedTextExtractor))]
    [InlineData("text/html; charset=utf-8", "x", typeof(HtmlExtractor))]
    [InlineData("application/pdf", "x", typeof(PdfExtractor))]
    [InlineData("application/x-ndjson", "x", typeof(JsonLinesExtractor))]
    [InlineData("application/json", "x", typeof(JsonDocumentExtractor))]
    [InlineData("text/markdown", "x", typeof(PlainTextExtractor))]
    public void ExtractorsClaimTheirTypes(string contentType, string filename, Type extractor)
    {
        ITextExtractor[] all = [new PlainTextExtractor(), new HtmlExtractor(), new DelimitedTextExtractor(), new JsonLinesExtractor(), new JsonDocumentExtractor(), new PdfExtractor(), new DocxExtractor()];

        Assert.Equal(extractor, Assert.Single(all, e => e.Handles(contentType, filename)).GetType());
    }

    [Fact]
    public async Task ImagesYieldDimensionsAndNoText()
    {
        var png = Convert.FromBase64String("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==");

        var (result, chunks) = await RunAsync(new MediaMetadataExtractor(), png);

        Assert.Empty(chunks);
        Assert.Equal(0, result.TextChars);
        Assert.Contains(result.Metadata!, m => m.Key.EndsWith("Image Width", StringComparison.Ordinal) && m.Value == "1");
        Assert.Contains(result.Metadata!, m => m.Key.EndsWith("Image Height", StringComparison.Ordinal) && m.Value == "1");
    }

    [Fact]
    public async Task AudioYieldsItsContainerMetadata()
    {
        using var wav = new MemoryStream();
        using (var w = new BinaryWriter(wav, Encoding.ASCII, leaveOpen: true))
        {
            var samples = new byte[1600];
            w.Write("RIFF"u8.ToArray()); w.Write(36 + samples.Length); w.Write("WAVE"u8.ToArray());
            w.Write("fmt "u8.ToArray()); w.Write(16); w.Write((short)1); w.Write((short)1); w.Write(8000); w.Write(16000); w.Write((short)2); w.Write((short)16);
            w.Write("data"u8.ToArray()); w.Write(samples.Length); w.Write(samples);
        }

        var (result, chunks) = await RunAsync(new MediaMetadataExtractor(), wav.ToArray());

        Assert.Empty(chunks);
        Assert.Contains(result.Metadata!, m => m.Value.Contains("8000", StringComparison.Ordinal));
    }

    [Fact]
    public async Task UnreadableMediaIsKeptWithoutMetadata()
    {
        var (result, _) = await RunAsync(new MediaMetadataExtractor(), Utf8("not an image"));

        Assert.Empty(result.Metadata!);
    }

    [Fact]
    public void UnknownTypesHaveNoExtractor()
    {
        ITextExtractor[] all = [new PlainTextExtractor(), new HtmlExtractor(), new DelimitedTextExtractor(), new JsonLinesExtractor(), new JsonDocumentExtractor(), new PdfExtractor(), new DocxExtractor()];

        Assert.DoesNotContain(all, e => e.Handles("application/zip", "archive.zip"));
        Assert.True(new MediaMetadataExtractor().Handles("image/png", "photo.png"));
        Assert.True(new MediaMetadataExtractor().Handles("video/mp4", "clip.mp4"));
    }
}
