using System.Globalization;
using System.Text;
using System.Text.Json;
using CsvHelper;
using CsvHelper.Configuration;

namespace Ipto.Grains.Normalization;

/// <summary>CSV and TSV: one chunk per data row (<c>header: value</c> lines), locator = row number (1 = first data row).</summary>
public sealed class DelimitedTextExtractor : ITextExtractor
{
    public bool Handles(string contentType, string filename) =>
        ContentTypes.Matches(contentType, filename, ["text/csv", "text/tab-separated-values", "application/csv"], [".csv", ".tsv"]);

    public async Task<ExtractionResult> ExtractAsync(Stream content, ChunkSink sink, CancellationToken cancellationToken)
    {
        // The delimiter follows the first line: a tab there means TSV.
        using var reader = new StreamReader(content, new UTF8Encoding(false), true, leaveOpen: true);
        var first = await reader.ReadLineAsync(cancellationToken) ?? "";
        var delimiter = first.Contains('\t') && !first.Contains(',') ? "\t" : ",";
        var config = new CsvConfiguration(CultureInfo.InvariantCulture) { Delimiter = delimiter, BadDataFound = null, MissingFieldFound = null, DetectColumnCountChanges = false };
        using var csv = new CsvReader(new ConcatReader(first + "\n", reader), config);
        var records = new RecordWriter(sink);
        try
        {
            if (!await csv.ReadAsync()) return new ExtractionResult(0, null, 0);
            csv.ReadHeader();
            var headers = csv.HeaderRecord ?? [];
            long row = 0;
            while (await csv.ReadAsync())
            {
                cancellationToken.ThrowIfCancellationRequested();
                row++;
                var text = new StringBuilder();
                for (var i = 0; i < csv.Parser.Count; i++)
                {
                    var name = i < headers.Length && headers[i].Length > 0 ? headers[i] : $"column {i + 1}";
                    text.Append(name).Append(": ").Append(csv.GetField(i)).Append('\n');
                }

                await records.WriteAsync(text.ToString(), row);
            }
        }
        catch (CsvHelperException e)
        {
            throw new MalformedFileException($"the CSV cannot be read near row {csv.Parser.Row}: {e.GetType().Name}");
        }

        return new ExtractionResult(records.TextChars, null, sink.Count);
    }

    /// <summary>Puts back the line read to sniff the delimiter.</summary>
    private sealed class ConcatReader(string head, TextReader tail) : TextReader
    {
        private int _position;

        public override int Read(char[] buffer, int index, int count)
        {
            if (_position < head.Length)
            {
                var n = Math.Min(count, head.Length - _position);
                head.CopyTo(_position, buffer, index, n);
                _position += n;
                return n;
            }

            return tail.Read(buffer, index, count);
        }

        public override int Peek() => _position < head.Length ? head[_position] : tail.Peek();
    }
}

/// <summary>JSON Lines: one chunk per line, locator = line number. A line that is not JSON fails the object.</summary>
public sealed class JsonLinesExtractor : ITextExtractor
{
    public bool Handles(string contentType, string filename) =>
        ContentTypes.Matches(contentType, filename, ["application/x-ndjson", "application/jsonl", "application/x-jsonlines", "application/jsonlines"], [".jsonl", ".ndjson"]);

    public async Task<ExtractionResult> ExtractAsync(Stream content, ChunkSink sink, CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(content, new UTF8Encoding(false), true, leaveOpen: true);
        var records = new RecordWriter(sink);
        long row = 0;
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            row++;
            if (line.Trim().Length == 0) continue;
            try
            {
                using var _ = JsonDocument.Parse(line);
            }
            catch (JsonException)
            {
                throw new MalformedFileException($"line {row} is not valid JSON");
            }

            await records.WriteAsync(line, row);
        }

        return new ExtractionResult(records.TextChars, null, sink.Count);
    }
}

/// <summary>A JSON document: each element of a top-level array is a record; any other value is one record.</summary>
public sealed class JsonDocumentExtractor : ITextExtractor
{
    public bool Handles(string contentType, string filename) => ContentTypes.Matches(contentType, filename, ["application/json", "text/json"], [".json"]);

    public async Task<ExtractionResult> ExtractAsync(Stream content, ChunkSink sink, CancellationToken cancellationToken)
    {
        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(content, new JsonDocumentOptions { MaxDepth = 256 }, cancellationToken);
        }
        catch (JsonException e)
        {
            throw new MalformedFileException($"the JSON is not valid (line {e.LineNumber + 1})");
        }

        using (document)
        {
            var records = new RecordWriter(sink);
            if (document.RootElement.ValueKind == JsonValueKind.Array)
            {
                long row = 0;
                foreach (var element in document.RootElement.EnumerateArray()) await records.WriteAsync(element.GetRawText(), ++row);
            }
            else
            {
                await records.WriteAsync(document.RootElement.GetRawText(), 1);
            }

            return new ExtractionResult(records.TextChars, null, sink.Count);
        }
    }
}
