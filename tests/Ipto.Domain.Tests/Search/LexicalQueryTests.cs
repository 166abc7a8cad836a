using System.Text.RegularExpressions;
using Ipto.Common;
using Ipto.Grains.Search;
using Lucene.Net.Analysis;
using Lucene.Net.Search;

namespace Ipto.Domain.Tests.Search;

public sealed partial class LexicalQueryTests
{
    private static readonly Analyzer Analyzer = LexicalQuery.CreateAnalyzer();

    private static Query Parse(string text) => LexicalQuery.Parse(text, Analyzer);

    private static int RefusedAt(string text)
    {
        var e = Assert.Throws<IptoException>(() => Parse(text));
        Assert.Equal(ErrorCodes.InvalidQuery, e.Code);
        var detail = Assert.Single(e.Details);
        Assert.Equal("query", detail.Field);
        var match = Position().Match(e.Message);
        Assert.True(match.Success, $"'{e.Message}' names no position");
        var position = int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.StartsWith($"position {position}:", detail.Issue, StringComparison.Ordinal);
        return position;
    }

    [GeneratedRegex(@"at position (\d+):")]
    private static partial Regex Position();

    private static TermQuery Term(Query q, string field, string text)
    {
        var term = Assert.IsType<TermQuery>(q);
        Assert.Equal(field, term.Term.Field);
        Assert.Equal(text, term.Term.Text);
        return term;
    }

    private static void Clauses(Query q, params (Occur Occur, string Text)[] expected)
    {
        var boolean = Assert.IsType<BooleanQuery>(q);
        Assert.Equal(expected.Length, boolean.Clauses.Count);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i].Occur, boolean.Clauses[i].Occur);
            Term(boolean.Clauses[i].Query, LexicalQuery.ContentField, expected[i].Text);
        }
    }

    // ---- what parses ----

    [Fact]
    public void BareTermsAreAlternativesInTheContentField() =>
        Clauses(Parse("Shipping insurance"), (Occur.SHOULD, "shipping"), (Occur.SHOULD, "insurance"));

    [Fact]
    public void AndRequiresBothTerms()
    {
        Clauses(Parse("shipping AND insurance"), (Occur.MUST, "shipping"), (Occur.MUST, "insurance"));
        Clauses(Parse("shipping && insurance"), (Occur.MUST, "shipping"), (Occur.MUST, "insurance"));
    }

    [Fact]
    public void OrAcceptsEither() =>
        Clauses(Parse("shipping OR insurance"), (Occur.SHOULD, "shipping"), (Occur.SHOULD, "insurance"));

    [Fact]
    public void NotExcludes()
    {
        Clauses(Parse("shipping NOT spam"), (Occur.SHOULD, "shipping"), (Occur.MUST_NOT, "spam"));
        Clauses(Parse("!spam shipping"), (Occur.MUST_NOT, "spam"), (Occur.SHOULD, "shipping"));
    }

    [Fact]
    public void PlusRequiresAndMinusExcludes() =>
        Clauses(Parse("+shipping -spam"), (Occur.MUST, "shipping"), (Occur.MUST_NOT, "spam"));

    [Fact]
    public void ParenthesesGroup()
    {
        var boolean = Assert.IsType<BooleanQuery>(Parse("(cats OR dogs) AND food"));

        Assert.Equal(2, boolean.Clauses.Count);
        Assert.Equal(Occur.MUST, boolean.Clauses[0].Occur);
        Clauses(boolean.Clauses[0].Query, (Occur.SHOULD, "cats"), (Occur.SHOULD, "dogs"));
        Assert.Equal(Occur.MUST, boolean.Clauses[1].Occur);
        Term(boolean.Clauses[1].Query, LexicalQuery.ContentField, "food");
    }

    [Fact]
    public void QuotesMakeAPhrase()
    {
        var phrase = Assert.IsType<PhraseQuery>(Parse("\"Marine insurance\""));

        Assert.Equal(["marine", "insurance"], phrase.GetTerms().Select(t => t.Text));
        Assert.All(phrase.GetTerms(), t => Assert.Equal(LexicalQuery.ContentField, t.Field));
        Assert.Equal(0, phrase.Slop);
    }

    [Fact]
    public void TildeAfterAPhraseIsProximity()
    {
        var phrase = Assert.IsType<PhraseQuery>(Parse("\"marine insurance\"~5"));

        Assert.Equal(["marine", "insurance"], phrase.GetTerms().Select(t => t.Text));
        Assert.Equal(5, phrase.Slop);
    }

    [Fact]
    public void TrailingStarIsAPrefix()
    {
        var prefix = Assert.IsType<PrefixQuery>(Parse("INSUR*"));

        Assert.Equal(LexicalQuery.ContentField, prefix.Prefix.Field);
        Assert.Equal("insur", prefix.Prefix.Text); // lowercased like the indexed terms
    }

    [Theory]
    [InlineData("te?t*", "te?t*")]
    [InlineData("*DAM", "*dam")] // leading wildcards are allowed
    [InlineData("?am", "?am")]
    public void WildcardsParse(string query, string pattern)
    {
        var wildcard = Assert.IsType<WildcardQuery>(Parse(query));

        Assert.Equal(LexicalQuery.ContentField, wildcard.Field);
        Assert.Equal(pattern, wildcard.Term.Text);
    }

    [Fact]
    public void SlashesMakeARegex()
    {
        var regex = Assert.IsType<RegexpQuery>(Parse("/Colou?r/"));

        Assert.Equal(LexicalQuery.ContentField, regex.Field);
        Assert.Equal("content:/colou?r/", regex.ToString());
    }

    [Theory]
    [InlineData("recieve~1", 1)]
    [InlineData("recieve~2", 2)]
    [InlineData("recieve~", 2)] // no distance: the default two edits
    public void TildeAfterATermIsFuzzy(string query, int edits)
    {
        var fuzzy = Assert.IsType<FuzzyQuery>(Parse(query));

        Assert.Equal(LexicalQuery.ContentField, fuzzy.Field);
        Assert.Equal("recieve", fuzzy.Term.Text);
        Assert.Equal(edits, fuzzy.MaxEdits);
    }

    [Fact]
    public void FilenamePrefixTargetsTheFilenameField()
    {
        Term(Parse("filename:doc2"), "filename", "doc2");
        Assert.Equal("filename", Assert.IsType<PrefixQuery>(Parse("filename:rep*")).Prefix.Field);
        var phrase = Assert.IsType<PhraseQuery>(Parse("filename:\"annual report\""));
        Assert.All(phrase.GetTerms(), t => Assert.Equal("filename", t.Field));
    }

    [Fact]
    public void ContentPrefixTargetsTheContentField() => Term(Parse("content:lading"), "content", "lading");

    [Fact]
    public void FieldAppliesToOneTermOnly()
    {
        var boolean = Assert.IsType<BooleanQuery>(Parse("filename:doc2 lading"));

        Term(boolean.Clauses[0].Query, "filename", "doc2");
        Term(boolean.Clauses[1].Query, "content", "lading");
    }

    // ---- refusals ----

    [Theory]
    [InlineData("\"unclosed")]
    [InlineData("(a OR b")]
    [InlineData("a AND")]
    [InlineData("title:")]
    [InlineData("AND b")]
    [InlineData("shipping )")]
    [InlineData("NOT")]
    [InlineData("shipping^")]
    [InlineData("[draft")]
    public void SyntaxErrorsAreInvalidQueryNamingAPosition(string query) => RefusedAt(query);

    // Positions count characters from 1 (as the guardrail refusals do); running out of input is one past the end.
    [Theory]
    [InlineData("\"unclosed", 10)]
    [InlineData("shipping \"unclosed", 19)]
    public void AnUnclosedQuoteIsRefusedAtTheEnd(string query, int position) => Assert.Equal(position, RefusedAt(query));

    [Theory]
    [InlineData("AND b", 1)]         // the AND
    [InlineData("shipping )", 10)]   // the stray parenthesis
    [InlineData("(a OR b", 8)]       // end of input, like "\"unclosed" → 10
    [InlineData("a AND", 6)]
    [InlineData("title:", 7)]
    public void ParserErrorsNameTheOneBasedPosition(string query, int position) => Assert.Equal(position, RefusedAt(query));

    [Theory]
    [InlineData("/a{17}/")]
    [InlineData("/a{1,1000}/")]
    [InlineData("/a{17,}/")]
    [InlineData("shipping /colou?r{20}/")]
    [InlineData("shipping AND content:/(ab){99}/")]
    public void RegexRepetitionsAboveSixteenAreRefusedAtTheRegex(string query)
    {
        var position = RefusedAt(query);

        AssertInsideTheRegex(query, position);
        Assert.Contains("{16}", Assert.Throws<IptoException>(() => Parse(query)).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/a{16}/")]
    [InlineData("/a{1,16}/")]
    [InlineData("/a{0,3}b{2}/")]
    public void RegexRepetitionsUpToSixteenParse(string query) => Assert.IsType<RegexpQuery>(Parse(query));

    [Fact]
    public void RegexesLongerThanTheLimitAreRefusedAtTheRegex()
    {
        var query = "cargo /" + new string('a', LexicalQuery.MaxPatternLength + 1) + "/";

        AssertInsideTheRegex(query, RefusedAt(query));
    }

    [Fact]
    public void ARegexOfExactlyTheLimitParses() =>
        Assert.IsType<RegexpQuery>(Parse("/" + new string('a', LexicalQuery.MaxPatternLength) + "/"));

    [Fact]
    public void WildcardsLongerThanTheLimitAreRefusedAtThePattern()
    {
        var query = "cargo " + new string('b', LexicalQuery.MaxPatternLength) + "?";

        Assert.Equal(7, RefusedAt(query));
    }

    [Fact]
    public void RegexRefusalNamesTheRegexEvenWhenItsTextAppearsEarlier()
    {
        const string query = "\"b{17}\" /b{17}/";

        AssertInsideTheRegex(query, RefusedAt(query));
    }

    private static void AssertInsideTheRegex(string query, int position)
    {
        var open = query.IndexOf('/', StringComparison.Ordinal) + 1; // 1-based
        var close = query.LastIndexOf('/') + 1;
        Assert.InRange(position, open, close);
    }
}
