using System.Text;
using Ipto.Grains.Normalization;

namespace Ipto.Domain.Tests.Normalization;

public sealed class TextChunkerTests
{
    private readonly TextChunker _chunker = new(1000);

    private static string Paragraphs(int count, int sentencesEach)
    {
        var text = new StringBuilder();
        for (var p = 0; p < count; p++)
        {
            for (var s = 0; s < sentencesEach; s++) text.Append($"Paragraph {p} sentence {s} says something about data markets. ");
            text.Append("\n\n");
        }

        return text.ToString();
    }

    private static void AssertLocatorsPointIntoTheText(string text, IReadOnlyList<TextChunk> chunks)
    {
        for (var i = 0; i < chunks.Count; i++)
        {
            var c = chunks[i];
            Assert.Equal(i, c.Locator.ChunkIndex);
            Assert.Equal(c.Text, text[(int)c.Locator.CharStart..(int)c.Locator.CharEnd]);
            if (i > 0) Assert.True(c.Locator.CharStart >= chunks[i - 1].Locator.CharEnd);
        }

        // Nothing but whitespace is left out.
        var covered = new bool[text.Length];
        foreach (var c in chunks)
            for (var k = c.Locator.CharStart; k < c.Locator.CharEnd; k++) covered[k] = true;
        for (var k = 0; k < text.Length; k++)
            Assert.True(covered[k] || char.IsWhiteSpace(text[k]), $"character {k} ('{text[k]}') is in no chunk");
    }

    [Fact]
    public void ShortTextIsOneChunk()
    {
        var chunks = _chunker.Chunk(new StringReader("  Hello world.  ")).ToList();

        var chunk = Assert.Single(chunks);
        Assert.Equal("Hello world.", chunk.Text);
        Assert.Equal(2, chunk.Locator.CharStart);
        Assert.Equal(14, chunk.Locator.CharEnd);
    }

    [Fact]
    public void EmptyOrBlankTextHasNoChunks()
    {
        Assert.Empty(_chunker.Chunk(new StringReader("")));
        Assert.Empty(_chunker.Chunk(new StringReader(" \n\n \t ")));
    }

    [Fact]
    public void ChunksBreakAtParagraphsNearTheTargetLength()
    {
        var text = Paragraphs(40, 4);

        var chunks = _chunker.Chunk(new StringReader(text)).ToList();

        Assert.True(chunks.Count > 5);
        Assert.All(chunks, c => Assert.InRange(c.Text.Length, 1, 1300));
        Assert.All(chunks.SkipLast(1), c => Assert.True(c.Text.Length >= 600));
        Assert.All(chunks, c => Assert.StartsWith("Paragraph", c.Text));
        AssertLocatorsPointIntoTheText(text, chunks);
    }

    [Fact]
    public void WithoutParagraphsChunksEndAtSentences()
    {
        var text = Paragraphs(1, 200);

        var chunks = _chunker.Chunk(new StringReader(text)).ToList();

        Assert.All(chunks, c => Assert.EndsWith(".", c.Text));
        AssertLocatorsPointIntoTheText(text, chunks);
    }

    [Fact]
    public void TextWithoutAnyBoundaryIsCutHard()
    {
        var text = new string('x', 3000);

        var chunks = _chunker.Chunk(new StringReader(text)).ToList();

        Assert.Equal(3000, chunks.Sum(c => c.Text.Length));
        Assert.All(chunks, c => Assert.True(c.Text.Length <= 1300));
        AssertLocatorsPointIntoTheText(text, chunks);
    }

    [Fact]
    public void OffsetsIndexesAndPageAreCarried()
    {
        var chunks = _chunker.Chunk(new StringReader("Page two text."), startOffset: 5000, firstIndex: 7, page: 2).ToList();

        var chunk = Assert.Single(chunks);
        Assert.Equal(new ChunkLocator(2, null, 5000, 5014, 7), chunk.Locator);
    }

    [Fact]
    public void HugeTextStreamsThrough()
    {
        using var reader = new GeneratedText(20_000_000);

        var count = 0;
        long last = 0;
        foreach (var chunk in _chunker.Chunk(reader))
        {
            count++;
            last = chunk.Locator.CharEnd;
        }

        Assert.True(count > 15_000);
        Assert.InRange(last, 19_999_000, 20_000_000);
    }

    /// <summary>Produces text on demand, so the test holds no copy of it.</summary>
    private sealed class GeneratedText(long length) : TextReader
    {
        private const string Sentence = "Agents buy private data by the paragraph. ";
        private long _position;

        public override int Read(char[] buffer, int index, int count)
        {
            var n = (int)Math.Min(count, length - _position);
            for (var i = 0; i < n; i++) buffer[index + i] = Sentence[(int)((_position + i) % Sentence.Length)];
            _position += n;
            return n;
        }
    }
}
