using Ipto.Grains.Search;

namespace Ipto.Domain.Tests.Search;

public sealed class SnippetBuilderTests
{
    private static readonly Lucene.Net.Analysis.Analyzer Analyzer = LexicalQuery.CreateAnalyzer();

    private static string[] Highlighted(string query, string text)
    {
        var (snippet, highlights) = SnippetBuilder.Build(LexicalQuery.Parse(query, Analyzer), text, Analyzer);
        return highlights.Select(h => snippet[h.Start..h.End]).ToArray();
    }

    [Theory]
    [InlineData("cargo", "Marine insurance covers Cargo lost at sea.", new[] { "Cargo" })]
    [InlineData("\"lost at sea\"", "Marine insurance covers cargo lost at sea.", new[] { "lost", "sea" })]
    [InlineData("insur*", "Marine insurance for insurers.", new[] { "insurance", "insurers" })]
    [InlineData("/colou?r/", "The colour and the color.", new[] { "colour", "color" })]
    [InlineData("clams~1", "Claims are settled within ninety days.", new[] { "Claims" })]
    [InlineData("cargo AND NOT court", "Cargo lost, no court.", new[] { "Cargo" })]
    public void HighlightsPointAtTheMatchedWordsInsideTheSnippet(string query, string text, string[] expected) =>
        Assert.Equal(expected, Highlighted(query, text));

    [Fact]
    public void ALongTextGivesAWindowAroundTheMatch()
    {
        var text = string.Join(' ', Enumerable.Repeat("filler words without meaning", 60)) + " the zeppelin landed safely.";

        var (snippet, highlights) = SnippetBuilder.Build(LexicalQuery.Parse("zeppelin", Analyzer), text, Analyzer);

        Assert.True(snippet.Length <= SnippetBuilder.FragmentLength + 20, $"snippet of {snippet.Length} chars");
        var highlight = Assert.Single(highlights);
        Assert.Equal("zeppelin", snippet[highlight.Start..highlight.End]);
    }

    [Fact]
    public void WithoutAMatchTheSnippetIsTheOpeningWordsWithoutHighlights()
    {
        var text = string.Join(' ', Enumerable.Range(0, 200).Select(i => $"word{i}"));

        var (snippet, highlights) = SnippetBuilder.Build(LexicalQuery.Parse("absent", Analyzer), text, Analyzer);
        var (noQuery, none) = SnippetBuilder.Build(null, text, Analyzer);

        Assert.Empty(highlights);
        Assert.Empty(none);
        Assert.StartsWith("word0 word1", snippet);
        Assert.True(snippet.Length <= SnippetBuilder.FragmentLength);
        Assert.Equal(snippet, noQuery);
        Assert.False(snippet.EndsWith(' '));
    }

    [Fact]
    public void MarkerCharactersAlreadyInTheTextDoNotShiftOffsets()
    {
        Assert.Equal(["cargo"], Highlighted("cargo", "odd \uE000 text \uE001 with cargo inside"));
    }
}
