using Ipto.Common;
using Ipto.Grains.Search;
using Lucene.Net.Search;

namespace Ipto.Domain.Tests.Search;

public sealed class LexicalQueryTests
{
    private static readonly Lucene.Net.Analysis.Analyzer Analyzer = LexicalQuery.CreateAnalyzer();

    private static IptoException Refused(string query)
    {
        var error = Assert.Throws<IptoException>(() => LexicalQuery.Parse(query, Analyzer));
        Assert.Equal(ErrorCodes.InvalidQuery, error.Code);
        Assert.Equal("query", Assert.Single(error.Details).Field);
        return error;
    }

    [Theory]
    [InlineData("\"unclosed", 10)]
    [InlineData("(a OR b", 8)]
    [InlineData("a AND", 6)]
    public void SyntaxErrorsNameThePosition(string query, int position) =>
        Assert.Contains($"position {position}:", Refused(query).Message);

    [Fact]
    public void ARegexIsShortAndItsRepetitionsBounded()
    {
        Assert.Contains("position 7:", Refused("cargo /(ab){17}/").Message);
        Assert.Contains("position 1:", Refused("/a{1,1000}/").Message);
        Assert.Contains("at most 100 characters", Refused("/" + new string('a', 101) + "/").Message);
        Assert.IsType<RegexpQuery>(LexicalQuery.Parse("/colou?r{1,16}/", Analyzer));
    }

    [Fact]
    public void AtMostTenPatternTermsPerQuery()
    {
        Assert.IsType<BooleanQuery>(LexicalQuery.Parse(string.Join(' ', Enumerable.Range(0, 10).Select(i => $"t{i}*")), Analyzer));
        Assert.Contains("at most 10", Refused(string.Join(' ', Enumerable.Range(0, 11).Select(i => $"t{i}~1"))).Message);
    }

    [Fact]
    public void TheParserBuildsTheQueryKindsOfTheSyntax()
    {
        Assert.Equal("content:cargo", LexicalQuery.Parse("cargo", Analyzer).ToString());
        Assert.IsType<PhraseQuery>(LexicalQuery.Parse("\"bills of lading\"", Analyzer));
        Assert.Equal(5, Assert.IsType<PhraseQuery>(LexicalQuery.Parse("\"container recorded\"~5", Analyzer)).Slop);
        Assert.IsType<WildcardQuery>(LexicalQuery.Parse("*dam", Analyzer));
        Assert.IsType<WildcardQuery>(LexicalQuery.Parse("te?t", Analyzer));
        Assert.IsType<PrefixQuery>(LexicalQuery.Parse("insur*", Analyzer));
        Assert.IsType<FuzzyQuery>(LexicalQuery.Parse("clams~1", Analyzer));
        Assert.Equal("filename:rulings filename:2024 filename:txt", LexicalQuery.Parse("filename:(Rulings-2024.txt)", Analyzer).ToString());
        Assert.Equal("+content:cargo +content:ship", LexicalQuery.Parse("cargo AND ship", Analyzer).ToString());
        Assert.Equal("+content:cargo -content:ship", LexicalQuery.Parse("+cargo -ship", Analyzer).ToString());
        Assert.Equal("content:cargo content:ship", LexicalQuery.Parse("cargo ship", Analyzer).ToString());
        Assert.Equal("content:cargo -content:ship", LexicalQuery.Parse("cargo NOT ship", Analyzer).ToString());
    }
}
