using Lucene.Net.Analysis;
using Lucene.Net.Analysis.Core;
using Lucene.Net.Analysis.Util;
using Lucene.Net.Util;

namespace Ipto.Grains.Search;

/// <summary>
/// File names split on anything that is not a letter or digit and lowercased, so <c>filename:rulings</c> finds
/// <c>Rulings-2024.txt</c> (the standard tokenizer keeps <c>rulings.txt</c> as one token).
/// </summary>
public sealed class FilenameAnalyzer : Analyzer
{
    protected override TokenStreamComponents CreateComponents(string fieldName, TextReader reader)
    {
        var tokenizer = new LetterOrDigitTokenizer(reader);
        return new TokenStreamComponents(tokenizer, new LowerCaseFilter(LexicalQuery.Version, tokenizer));
    }

    private sealed class LetterOrDigitTokenizer(TextReader reader) : CharTokenizer(LexicalQuery.Version, reader)
    {
        protected override bool IsTokenChar(int c) => c <= char.MaxValue ? char.IsLetterOrDigit((char)c) : System.Text.Rune.IsLetterOrDigit(new System.Text.Rune(c));
    }
}
