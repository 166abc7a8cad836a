using System.Globalization;
using System.Text.RegularExpressions;
using Ipto.Common;
using Lucene.Net.Analysis;
using Lucene.Net.Analysis.Core;
using Lucene.Net.Analysis.Miscellaneous;
using Lucene.Net.Analysis.Standard;
using Lucene.Net.Index;
using Lucene.Net.QueryParsers.Classic;
using Lucene.Net.Search;
using Lucene.Net.Util;

namespace Ipto.Grains.Search;

/// <summary>
/// The lexical query language of SPEC §7 on Lucene's classic parser (default field <c>content</c>, OR between bare
/// terms, leading wildcards allowed), with guardrails: a regex is short and its repetitions are bounded (its automaton
/// is built while parsing), and a wildcard, regex or fuzzy term may expand to at most <see cref="MaxExpansions"/>
/// index terms, and a query holds at most <see cref="MaxPatternTerms"/> such terms. Every refusal is
/// <c>invalid_query</c> with the position in the query.
/// </summary>
public static partial class LexicalQuery
{
    public const LuceneVersion Version = LuceneVersion.LUCENE_48;
    public const string ContentField = "content";
    public const int MaxExpansions = 1024;
    public const int MaxPatternLength = 100;
    public const int MaxRepetition = 16;

    /// <summary>Wildcard, prefix, regex and fuzzy terms per query: each one may scan an index's whole term dictionary.</summary>
    public const int MaxPatternTerms = 10;

    /// <summary>The analyzer of writer, parser and highlighter: standard text analysis, keyword analysis for ids and types.</summary>
    public static Analyzer CreateAnalyzer() => new PerFieldAnalyzerWrapper(new StandardAnalyzer(Version), new Dictionary<string, Analyzer>
    {
        ["object_id"] = new KeywordAnalyzer(),
        ["content_type"] = new KeywordAnalyzer(),
        ["filename"] = new FilenameAnalyzer(),
    });

    /// <summary>The fields a query may name (<c>filename:</c>, <c>content:</c>); ids and types are filters, not fields.</summary>
    public static readonly IReadOnlySet<string> Fields = new HashSet<string>(StringComparer.Ordinal) { ContentField, "filename" };

    /// <summary>The parsed query, or null when it would be refused.</summary>
    public static Query? TryParse(string text, Analyzer analyzer)
    {
        try
        {
            return Parse(text, analyzer);
        }
        catch (IptoException)
        {
            return null;
        }
    }

    public static Query Parse(string text, Analyzer analyzer)
    {
        try
        {
            var query = new GuardedParser(analyzer, text).Parse(text);
            if (FieldsOf(query).FirstOrDefault(f => !Fields.Contains(f)) is { } unknown)
            {
                var position = text.IndexOf(unknown + ":", StringComparison.OrdinalIgnoreCase);
                throw Invalid(position < 0 ? 1 : position + 1, $"'{unknown}:' is not a searchable field (use filename: or content:)");
            }

            return query;
        }
        catch (ParseException e) when (Guardrail(e) is { } refusal)
        {
            throw refusal;
        }
        catch (ParseException e)
        {
            var position = e.Message.Contains("Encountered \"<EOF>\"", StringComparison.Ordinal) || e.Message.Contains("Encountered: <EOF>", StringComparison.Ordinal)
                ? text.Length + 1
                : PositionOf(e.Message);
            throw Invalid(position, (position > text.Length ? "the query ends too early" : "the query does not parse") + " (" + Reason(e.Message) + ")");
        }
        catch (BooleanQuery.TooManyClausesException)
        {
            throw Invalid(1, $"the query has more than {BooleanQuery.MaxClauseCount} clauses");
        }
    }

    /// <summary>
    /// Rewrites the multi-term parts (wildcards, regexes, fuzzy terms) against <paramref name="reader"/> before the
    /// search runs, refusing any that expands to more than <see cref="MaxExpansions"/> terms.
    /// </summary>
    public static Query Rewrite(Query query, IndexReader reader, string text)
    {
        try
        {
            return query.Rewrite(reader) is var rewritten && ReferenceEquals(rewritten, query) ? query : Rewrite(rewritten, reader, text);
        }
        catch (TooManyExpansionsException e)
        {
            var position = text.IndexOf(e.Pattern, StringComparison.OrdinalIgnoreCase);
            throw Invalid(position < 0 ? 1 : position + 1, $"'{e.Pattern}' matches more than {MaxExpansions} indexed terms; make it more specific");
        }
    }

    private static IEnumerable<string> FieldsOf(Query query) => query switch
    {
        BooleanQuery boolean => boolean.Clauses.SelectMany(c => FieldsOf(c.Query)),
        TermQuery term => [term.Term.Field],
        PhraseQuery phrase => phrase.GetTerms().Select(t => t.Field),
        MultiPhraseQuery multi => multi.GetTermArrays().SelectMany(terms => terms.Select(t => t.Field)),
        MultiTermQuery multiTerm => [multiTerm.Field],
        _ => [],
    };

    public static IptoException Invalid(int position, string reason) =>
        new(ErrorCodes.InvalidQuery, $"Invalid query at position {position}: {reason}.",
            [new FieldError("query", $"position {position}: {reason}")]);

    private static IptoException? Guardrail(Exception e)
    {
        for (var inner = e.InnerException; inner is not null; inner = inner.InnerException)
            if (inner is IptoException refusal) return refusal;
        return null;
    }

    // The parser's "Encountered …" columns count from 0; the lexer's "Lexical error …" columns count from 1.
    private static int PositionOf(string message) =>
        Column().Match(message) is { Success: true } match
            ? int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) + (message.Contains("Lexical error", StringComparison.Ordinal) ? 0 : 1)
            : 1;

    private static string Reason(string message)
    {
        // Lucene's messages start with "Cannot parse '<query>': "; the query is the caller's own, so drop the echo.
        var colon = message.IndexOf("': ", StringComparison.Ordinal);
        var reason = colon >= 0 ? message[(colon + 3)..] : message;
        reason = reason.Split('\n')[0].Trim();
        return reason.Length > 200 ? reason[..200] : reason;
    }

    [GeneratedRegex(@"column (\d+)")]
    private static partial Regex Column();

    [GeneratedRegex(@"\{(\d+)(?:,(\d*))?\}")]
    private static partial Regex Repetition();

    private sealed class GuardedParser : QueryParser
    {
        private readonly string _text;

        public GuardedParser(Analyzer analyzer, string text) : base(Version, ContentField, analyzer)
        {
            _text = text;
            AllowLeadingWildcard = true;
            MultiTermRewriteMethod = new CappedRewrite();
        }

        private int _patterns;

        protected override Query GetRegexpQuery(string field, string termStr)
        {
            Guard("/" + termStr + "/", "regex");
            foreach (Match match in Repetition().Matches(termStr))
            {
                foreach (var group in new[] { match.Groups[1], match.Groups[2] })
                {
                    if (group.Success && group.Value.Length > 0 && (group.Value.Length > 3 || int.Parse(group.Value, CultureInfo.InvariantCulture) > MaxRepetition))
                        throw Refuse("/" + termStr + "/", $"a regex repetition may not exceed {{{MaxRepetition}}}");
                }
            }

            return base.GetRegexpQuery(field, termStr);
        }

        protected override Query GetWildcardQuery(string field, string termStr)
        {
            Guard(termStr, "wildcard");
            return base.GetWildcardQuery(field, termStr);
        }

        protected override Query GetPrefixQuery(string field, string termStr)
        {
            Guard(termStr, "prefix");
            return base.GetPrefixQuery(field, termStr);
        }

        protected override Query GetFuzzyQuery(string field, string termStr, float minSimilarity)
        {
            Guard(termStr, "fuzzy");
            return base.GetFuzzyQuery(field, termStr, minSimilarity);
        }

        private void Guard(string pattern, string kind)
        {
            if (pattern.Trim('/').Length > MaxPatternLength) throw Refuse(pattern, $"a {kind} term may have at most {MaxPatternLength} characters");
            if (++_patterns > MaxPatternTerms) throw Refuse(pattern, $"a query may hold at most {MaxPatternTerms} wildcard, regex or fuzzy terms");
        }

        private ParseException Refuse(string pattern, string reason)
        {
            var position = _text.IndexOf(pattern, StringComparison.OrdinalIgnoreCase);
            return new ParseException(reason, Invalid(position < 0 ? 1 : position + 1, reason));
        }
    }

    private sealed class TooManyExpansionsException(string pattern) : Exception
    {
        public string Pattern { get; } = pattern;
    }

    /// <summary>Counts a multi-term query's terms (stopping past the cap) before the default constant-score rewrite.</summary>
    private sealed class CappedRewrite : MultiTermQuery.RewriteMethod
    {
        public override Query Rewrite(IndexReader reader, MultiTermQuery query)
        {
            // Distinct terms across segments: the same word in fifteen segments is one expansion, not fifteen.
            var distinct = new HashSet<string>(StringComparer.Ordinal);
            foreach (var leaf in reader.Leaves)
            {
                var terms = leaf.AtomicReader.GetTerms(query.Field);
                if (terms is null) continue;
                var termsEnum = GetTermsEnum(query, terms, new Lucene.Net.Util.AttributeSource());
                while (termsEnum.MoveNext())
                {
                    if (distinct.Add(termsEnum.Term.Utf8ToString()) && distinct.Count > MaxExpansions)
                        throw new TooManyExpansionsException(Pattern(query));
                }
            }

            return MultiTermQuery.CONSTANT_SCORE_AUTO_REWRITE_DEFAULT.Rewrite(reader, query);
        }

        private static string Pattern(MultiTermQuery query) => query switch
        {
            WildcardQuery w => w.Term.Text,
            PrefixQuery p => p.Prefix.Text + "*",
            RegexpQuery r => r.ToString(r.Field).Trim('/'),
            FuzzyQuery f => f.Term.Text,
            _ => query.ToString(query.Field),
        };
    }
}
