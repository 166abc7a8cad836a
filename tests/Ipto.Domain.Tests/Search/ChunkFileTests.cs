using System.Text;
using Ipto.Grains.Search;
using Ipto.Search;

namespace Ipto.Domain.Tests.Search;

/// <summary>The chunk file format, written and read in one place: byte-identical to the lines stored so far.</summary>
public sealed class ChunkFileTests
{
    [Fact]
    public void ALineIsTheStoredFormat()
    {
        var line = ChunkFile.Line("Rotterdam \"bills\" — 42", new CitationLocator(3, null, 10, 32, 7));

        Assert.Equal("""{"chunk_index":7,"text":"Rotterdam \u0022bills\u0022 \u2014 42","locator":{"page":3,"row":null,"char_start":10,"char_end":32,"chunk_index":7}}""", line);
    }

    [Fact]
    public async Task LinesReadBackAsTheChunksTheyWereSkippingBlankLines()
    {
        var file = string.Join("\n", ChunkFile.Line("first", new CitationLocator(null, 4, 0, 5, 0)), "", ChunkFile.Line("second", new CitationLocator(1, null, 5, 11, 1))) + "\n";

        var chunks = new List<StoredChunk>();
        await foreach (var chunk in ChunkFile.ReadAsync(new MemoryStream(Encoding.UTF8.GetBytes(file)))) chunks.Add(chunk);

        Assert.Equal([new StoredChunk("first", new CitationLocator(null, 4, 0, 5, 0)), new StoredChunk("second", new CitationLocator(1, null, 5, 11, 1))], chunks);
    }
}
