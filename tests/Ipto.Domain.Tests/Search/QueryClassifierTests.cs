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

    [Theory]
    [InlineData("android notation")]
    [InlineData("ANDROID NOTATION ORACLE")] // operator words inside capitalised words
    [InlineData("BRAND ORDERS NOTHING")]
    [InlineData("ANDes OReo NOTe")]
    [InlineData("land or sea and not air")]
    [InlineData("or")]
    [InlineData("Or And Not")] // operators are upper case only, as in the parser
    [InlineData("AT&T results")] // a single & is no operator
    [InlineData("C++ tutorial")] // + inside or after a word is not a prefix
    [InlineData("don't panic")]
    [InlineData("FILENAME report")]
    public void OperatorLettersInsideWordsStayHybrid(string query) => Assert.Equal(QueryClassifier.Hybrid, QueryClassifier.AutoMode(query));

    [Theory]
    [InlineData("cats\tAND\tdogs")]
    [InlineData("cats\nOR dogs")]
    [InlineData("Portland OR hotels")] // upper-case OR is the operator, as the parser reads it
    [InlineData("dogs AND")]
    [InlineData("NOT")]
    [InlineData("a || b")]
    [InlineData("!spam shipping")]
    [InlineData("shipping (-spam)")]
    [InlineData("filename:\"annual report\"")]
    [InlineData("shipping content:lading")]
    [InlineData("x /colou?r/")]
    [InlineData("*dam")]
    public void OperatorsAnywhereRunLexical(string query) =>
        Assert.Equal(QueryClassifier.Lexical, QueryClassifier.AutoMode(query));

    [Theory]
    [InlineData("shipping insurance claims")]
    [InlineData("how do agents pay for data")]
    [InlineData("and or not in lowercase are just words")]
    [InlineData("covid-19 vaccine")]
    [InlineData("e-mail marketing")]
    [InlineData("price 3.5 usd")]
    [InlineData("android notation")]
    [InlineData("don't panic")]
    public void PlainWordsThatRunHybridAlsoParseForTheLexicalLeg(string query)
    {
        Assert.Equal(QueryClassifier.Hybrid, QueryClassifier.AutoMode(query));
        LexicalQuery.Parse(query, LexicalQuery.CreateAnalyzer()); // hybrid parses the query strictly: it must not throw
    }

    [Theory]
    [InlineData("TCP/IP stack")]
    [InlineData("input/output devices")]
    [InlineData("and/or")]
    [InlineData("hello world!")]
    [InlineData("2^n growth")]
    [InlineData("[draft] notes")]
    [InlineData("{note} here")]
    [InlineData("note:")]
    public void InAutoModeWordsThatDoNotParseRunHybridWithTheirLexicalSideEscaped(string query)
    {
        var analyzer = LexicalQuery.CreateAnalyzer();
        Assert.Throws<Ipto.Common.IptoException>(() => LexicalQuery.Parse(query, analyzer)); // taken as syntax, they are refused

        var (mode, lexical) = QueryClassifier.Resolve("auto", query, analyzer);

        Assert.Equal(QueryClassifier.Hybrid, mode);
        LexicalQuery.Parse(lexical, analyzer);
        Assert.Equal(("lexical", query), QueryClassifier.Resolve("lexical", query, analyzer)); // an explicit mode takes the text as written
    }

    [Theory]
    [InlineData("\"bills of lading\"", "lexical")]
    [InlineData("cargo AND ship", "lexical")]
    [InlineData("cargo ship", "hybrid")]
    public void InAutoModeQueriesThatParseKeepTheirClassification(string query, string mode) =>
        Assert.Equal((mode, query), QueryClassifier.Resolve("auto", query, LexicalQuery.CreateAnalyzer()));
}
