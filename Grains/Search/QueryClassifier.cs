using System.Text.RegularExpressions;

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

    public static bool UsesSyntax(string query) => Syntax().IsMatch(query);

    // Boolean words, +/- prefixes, quotes, grouping, wildcards, fuzzy/proximity, /regex/, and field: prefixes.
    [GeneratedRegex(@"(^|\s)(AND|OR|NOT)(\s|$)|(^|[\s(])[+-]\S|[""()*?~]|(^|\s)/.+/|(^|\s)(filename|content):|&&|\|\||(^|\s)!\S")]
    private static partial Regex Syntax();
}
