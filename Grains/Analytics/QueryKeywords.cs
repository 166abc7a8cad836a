using System.Text.RegularExpressions;

namespace Ipto.Grains.Analytics;

/// <summary>
/// The words of a query text that count as its keywords (SPEC §13): lowercase runs of letters and digits, without the
/// query language's operators (<c>AND</c>, <c>OR</c>, <c>NOT</c>, which it reads only in capitals), field names (a word
/// right before <c>:</c>) and one-letter words; each word once.
/// </summary>
public static partial class QueryKeywords
{
    private static readonly HashSet<string> Operators = new(StringComparer.Ordinal) { "AND", "OR", "NOT" };

    public static IReadOnlySet<string> Of(string queryText)
    {
        var words = new HashSet<string>(StringComparer.Ordinal);
        foreach (Match match in Word().Matches(queryText))
        {
            if (match.Length < 2 || Operators.Contains(match.Value)) continue;
            if (match.Index + match.Length < queryText.Length && queryText[match.Index + match.Length] == ':') continue;
            words.Add(match.Value.ToLowerInvariant());
        }

        return words;
    }

    [GeneratedRegex(@"[\p{L}\p{Nd}]+")]
    private static partial Regex Word();
}
