using System.Text.RegularExpressions;
using Ipto.Search;
using Lucene.Net.Analysis;
using Lucene.Net.QueryParsers.Classic;

namespace Ipto.Grains.Search;

/// <summary>
/// <c>mode: auto</c> of SPEC §7: a query that uses operators, phrases, wildcards, regex, fuzziness, grouping or field
/// prefixes is meant literally and runs lexical; plain words run hybrid.
/// </summary>
public static partial class QueryClassifier
{
    public const string Lexical = "lexical";
    public const string Hybrid = "hybrid";

    public static string AutoMode(string query) => UsesSyntax(query) ? Lexical : Hybrid;

    /// <summary>
    /// The mode a request runs in and the text its lexical side parses. Explicit modes take the query as written (a
    /// syntax error is the caller's answer); in auto mode a query that would be refused ("TCP/IP stack", "hello
    /// world!") is read as plain words: hybrid, with the lexical side escaped.
    /// </summary>
    public static (string Mode, string LexicalText) Resolve(string requestedMode, string query, Analyzer analyzer)
    {
        if (requestedMode != SearchModes.Auto) return (requestedMode, query);
        return LexicalQuery.TryParse(query, analyzer) is null ? (Hybrid, QueryParserBase.Escape(query)) : (AutoMode(query), query);
    }

    public static bool UsesSyntax(string query) => Syntax().IsMatch(query);

    // Boolean words, +/- prefixes, quotes, grouping, wildcards, fuzzy/proximity, /regex/, and field: prefixes.
    [GeneratedRegex(@"(^|\s)(AND|OR|NOT)(\s|$)|(^|[\s(])[+-]\S|[""()*?~]|(^|\s)/.+/|(^|\s)(filename|content):|&&|\|\||(^|\s)!\S")]
    private static partial Regex Syntax();
}
