using System.Text;
using Ipto.Search;
using Lucene.Net.Analysis;
using Lucene.Net.Search;
using Lucene.Net.Search.Highlight;

namespace Ipto.Grains.Search;

/// <summary>
/// A snippet of a chunk around its best-matching passage, with the offsets of the matched terms inside the snippet
/// (SPEC §12). Lucene's highlighter marks the terms with two private-use characters, which are then turned into
/// offsets; a chunk with no lexical match (a dense hit) gets its opening words and no highlights.
/// </summary>
public static class SnippetBuilder
{
    public const int FragmentLength = 300;
    private const char Open = '\uE000';
    private const char Close = '\uE001';

    public static (string Snippet, IReadOnlyList<Highlight> Highlights) Build(Query? query, string text, Analyzer analyzer)
    {
        var clean = text.Replace(Open, ' ').Replace(Close, ' ');
        if (query is not null)
        {
            var scorer = new QueryScorer(query, LexicalQuery.ContentField);
            var highlighter = new Highlighter(new Marker(), scorer) { TextFragmenter = new SimpleSpanFragmenter(scorer, FragmentLength) };
            string? fragment;
            try
            {
                fragment = highlighter.GetBestFragment(analyzer, LexicalQuery.ContentField, clean);
            }
            catch (InvalidTokenOffsetsException)
            {
                fragment = null;
            }

            if (!string.IsNullOrEmpty(fragment)) return Decode(fragment);
        }

        return (Opening(clean), []);
    }

    private static (string, IReadOnlyList<Highlight>) Decode(string fragment)
    {
        var snippet = new StringBuilder(fragment.Length);
        var highlights = new List<Highlight>();
        var start = -1;
        foreach (var c in fragment)
        {
            if (c == Open) start = snippet.Length;
            else if (c == Close && start >= 0)
            {
                highlights.Add(new Highlight(start, snippet.Length));
                start = -1;
            }
            else snippet.Append(c);
        }

        return (snippet.ToString(), highlights);
    }

    private static string Opening(string text)
    {
        if (text.Length <= FragmentLength) return text;
        var cut = text.LastIndexOf(' ', FragmentLength);
        return text[..(cut > FragmentLength / 2 ? cut : FragmentLength)];
    }

    private sealed class Marker : IFormatter
    {
        public string HighlightTerm(string originalText, TokenGroup tokenGroup) =>
            tokenGroup.TotalScore > 0 ? Open + originalText + Close : originalText;
    }
}
