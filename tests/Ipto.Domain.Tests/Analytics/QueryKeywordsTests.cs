using Ipto.Grains.Analytics;
using Xunit;

namespace Ipto.Domain.Tests.Analytics;

public sealed class QueryKeywordsTests
{
    [Theory]
    [InlineData("Climate AND policy", "climate policy")]
    [InlineData("solar OR wind NOT coal", "coal solar wind")]
    [InlineData("filename:report content:\"Tax Credits\" 2026", "2026 credits report tax")]
    [InlineData("a b cd e", "cd")]
    [InlineData("Energy energy ENERGY", "energy")]
    [InlineData("co2-emissions (net zero)~2 heat*", "co2 emissions heat net zero")]
    [InlineData("Zürich straße", "straße zürich")]
    [InlineData("   ", "")]
    [InlineData("rock and roll", "and rock roll")]
    public void KeywordsAreLowercaseWordsWithoutOperatorsFieldNamesOrSingleLetters(string query, string expected)
    {
        Assert.Equal(expected, string.Join(' ', QueryKeywords.Of(query).Order(StringComparer.Ordinal)));
    }
}
