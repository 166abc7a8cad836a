using Ipto.Grains.Search;
using Ipto.Search;
using Lucene.Net.Analysis;

namespace Ipto.Domain.Tests.Search;

public sealed class SnippetBuilderTests
{
    private static readonly Analyzer Analyzer = LexicalQuery.CreateAnalyzer();

    private const string Text = "Shipping INSURANCE claims: the insurer pays for the colour and color of goods. Marine insurance covers cargo.";

    private static (string Snippet, IReadOnlyList<Highlight> Highlights) Build(string? query, string text) =>
        SnippetBuilder.Build(query is null ? null : LexicalQuery.Parse(query, Analyzer), text, Analyzer);

    /// <summary>Every highlight is a non-empty range of the snippet; returns the highlighted words in order.</summary>
    private static List<string> Highlighted(string snippet, IReadOnlyList<Highlight> highlights)
    {
        var words = new List<string>();
        foreach (var h in highlights)
        {
            Assert.InRange(h.Start, 0, snippet.Length - 1);
            Assert.InRange(h.End, h.Start + 1, snippet.Length);
            words.Add(snippet[h.Start..h.End]);
        }

        Assert.True(highlights.Zip(highlights.Skip(1)).All(p => p.First.End <= p.Second.Start), "highlights overlap or are out of order");
        return words;
    }

    [Fact]
    public void TermHighlightsEveryOccurrenceWhateverItsCase()
    {
        var (snippet, highlights) = Build("insurance", Text);

        Assert.Equal(Text, snippet);
        Assert.Equal(["INSURANCE", "insurance"], Highlighted(snippet, highlights));
        Assert.Equal(Text.IndexOf("INSURANCE", StringComparison.Ordinal), highlights[0].Start);
        Assert.Equal(Text.IndexOf("Marine insurance", StringComparison.Ordinal) + 7, highlights[1].Start);
    }

    [Fact]
    public void PhraseHighlightsOnlyTheWordsOfTheMatchingPassage()
    {
        var (snippet, highlights) = Build("\"marine insurance\"", Text);

        Assert.Equal(["Marine", "insurance"], Highlighted(snippet, highlights));
        Assert.Equal(highlights[0].End + 1, highlights[1].Start); // the insurance after "Marine", not the lone INSURANCE
    }

    [Fact]
    public void PrefixWildcardHighlightsEachExpandedWord()
    {
        var (snippet, highlights) = Build("insur*", Text);

        Assert.Equal(["INSURANCE", "insurer", "insurance"], Highlighted(snippet, highlights));
    }

    [Fact]
    public void LeadingWildcardHighlightsEachExpandedWord()
    {
        var (snippet, highlights) = Build("*ance", Text);

        Assert.Equal(["INSURANCE", "insurance"], Highlighted(snippet, highlights));
    }

    [Fact]
    public void RegexHighlightsEachMatchingWord()
    {
        var (snippet, highlights) = Build("/colou?r/", Text);

        Assert.Equal(["colour", "color"], Highlighted(snippet, highlights));
    }

    [Fact]
    public void FuzzyHighlightsTheNearbyWord()
    {
        var (snippet, highlights) = Build("cargi~1", Text);

        Assert.Equal(["cargo"], Highlighted(snippet, highlights));
    }

    [Fact]
    public void ExcludedTermsAreNotHighlighted()
    {
        var (snippet, highlights) = Build("claims AND NOT marine", Text);

        Assert.Equal(["claims"], Highlighted(snippet, highlights));
    }

    [Fact]
    public void OffsetsAreNotShiftedByMarkupCharactersInTheText()
    {
        const string text = "R&D <b>cargo</b> & \"insurance\" > 'freight'";

        var (snippet, highlights) = Build("cargo OR insurance OR freight", text);

        Assert.Equal(text, snippet);
        Assert.Equal(["cargo", "insurance", "freight"], Highlighted(snippet, highlights));
    }

    [Fact]
    public void MatchNearTheEndOfALongTextGivesAShortSnippetAroundIt()
    {
        var text = string.Concat(Enumerable.Repeat("Lorem ipsum dolor sit amet consectetur. ", 30)) + "The cargo was insured at the very end.";
        Assert.True(text.Length > 1000);

        var (snippet, highlights) = Build("cargo", text);

        Assert.Equal(["cargo"], Highlighted(snippet, highlights));
        Assert.Contains(snippet, text); // a contiguous passage of the text, unchanged
        // The fragmenter cuts about every FragmentLength characters but folds a tail shorter than half a fragment
        // into the last one, so a snippet at the end of a text can reach 1.5 × FragmentLength.
        Assert.True(snippet.Length <= SnippetBuilder.FragmentLength * 3 / 2, $"snippet has {snippet.Length} characters");
    }

    [Fact]
    public void MatchInTheMiddleOfALongTextGivesAboutOneFragment()
    {
        var words = Enumerable.Range(0, 400).Select(i => "word" + i % 37).ToArray();
        words[200] = "cargo";
        var text = string.Join(' ', words);

        var (snippet, highlights) = Build("cargo", text);

        Assert.Equal(["cargo"], Highlighted(snippet, highlights));
        Assert.Contains(snippet, text);
        Assert.True(snippet.Length <= SnippetBuilder.FragmentLength + 10, $"snippet has {snippet.Length} characters"); // a fragment ends after the word crossing its size
    }

    [Theory]
    [InlineData("nomatch")]
    [InlineData(null)]
    [InlineData("filename:cargo")] // only the content field is highlighted
    public void WithoutAContentMatchTheSnippetIsTheOpeningWords(string? query)
    {
        var text = string.Concat(Enumerable.Repeat("Cargo insurance covers goods in transit. ", 20));

        var (snippet, highlights) = Build(query, text);

        Assert.Empty(highlights);
        Assert.StartsWith(snippet, text, StringComparison.Ordinal);
        Assert.InRange(snippet.Length, SnippetBuilder.FragmentLength / 2, SnippetBuilder.FragmentLength);
        Assert.Equal(' ', text[snippet.Length]); // cut between words
    }

    [Fact]
    public void AShortTextWithoutAMatchIsReturnedWhole()
    {
        var (snippet, highlights) = Build("nomatch", Text);

        Assert.Equal(Text, snippet);
        Assert.Empty(highlights);
    }

    [Fact]
    public void OpeningOfATextWithoutSpacesIsCutAtTheFragmentLength()
    {
        var text = new string('x', 1000);

        var (snippet, highlights) = Build(null, text);

        Assert.Equal(new string('x', SnippetBuilder.FragmentLength), snippet);
        Assert.Empty(highlights);
    }

    [Fact]
    public void PrivateUseMarkerCharactersInTheTextDoNotCorruptOffsets()
    {
        const string text = "\uE000Shipping\uE001 insurance \uE001claims\uE000 cover \uE000\uE000insurance\uE001 \uE001";

        var (snippet, highlights) = Build("insurance", text);

        Assert.DoesNotContain('\uE000', snippet);
        Assert.DoesNotContain('\uE001', snippet);
        Assert.Equal(["insurance", "insurance"], Highlighted(snippet, highlights));
    }

    [Fact]
    public void MarkerCharactersNextToAMatchedWordDoNotCreateOrLoseHighlights()
    {
        const string text = "claims\uE001 then \uE000cargo and cargo\uE000";

        var (snippet, highlights) = Build("cargo", text);

        Assert.Equal(["cargo", "cargo"], Highlighted(snippet, highlights));
    }
}
