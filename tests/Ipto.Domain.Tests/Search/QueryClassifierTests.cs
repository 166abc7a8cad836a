using Ipto.Grains.Search;

namespace Ipto.Domain.Tests.Search;

public sealed class QueryClassifierTests
{
    [Theory]
    [InlineData("shipping insurance claims")]
    [InlineData("how do agents pay for data")]
    [InlineData("and or not in lowercase are just words")]
    [InlineData("covid-19 vaccine")]
    [InlineData("e-mail marketing")]
    [InlineData("price 3.5 usd")]
    public void PlainWordsRunHybrid(string query) => Assert.Equal(QueryClassifier.Hybrid, QueryClassifier.AutoMode(query));

    [Theory]
    [InlineData("shipping AND insurance")]
    [InlineData("cats OR dogs")]
    [InlineData("NOT spam")]
    [InlineData("+required term")]
    [InlineData("term -excluded")]
    [InlineData("\"exact phrase\"")]
    [InlineData("\"near words\"~5")]
    [InlineData("te?t")]
    [InlineData("insur*")]
    [InlineData("*ance")]
    [InlineData("/colou?r/")]
    [InlineData("recieve~1")]
    [InlineData("(a b) c")]
    [InlineData("filename:report")]
    [InlineData("content:lading")]
    [InlineData("a && b")]
    public void SyntaxRunsLexical(string query) => Assert.Equal(QueryClassifier.Lexical, QueryClassifier.AutoMode(query));
}
