using System.Text;

/// <summary>
/// Synthetic English-like chunk text for the search bench: words drawn with Zipf frequencies from a fixed vocabulary
/// (stop words, then a few hundred real words, then a long tail of made-up words), with some fixed collocations, so
/// that query terms have realistic selectivity (from ~40 % of the chunks down to a handful). Seeded: every run builds
/// the same corpus.
/// </summary>
internal sealed class SearchCorpus
{
    public const int Seed = 20261128;

    private static readonly string[] StopWords = "the of and to a in for is on with that by as at from".Split(' ');

    // Ranked: earlier words are more frequent. The query set below picks words at known ranks.
    private static readonly string[] RealWords = """
        shipment invoice freight container port customs payment supplier contract delivery warehouse order price market
        report quarter revenue patient clinical trial dose study result analysis sample protein cell gene energy battery
        solar grid carbon emission policy court ruling appeal statute claim liability insurance premium risk loan credit
        interest rate bond equity fund portfolio asset audit tax filing compliance regulation license permit inspection
        vessel cargo route harbor terminal crane truck rail pallet inventory stock demand forecast budget cost margin
        profit loss account ledger balance transfer wire bank branch customer client vendor partner merger acquisition
        board meeting minutes agenda vote director officer employee salary pension benefit training safety incident
        hazard chemical reactor pressure valve pipe pump turbine engine fuel diesel voltage current circuit sensor
        signal network server cloud database query index cluster latency throughput storage backup security breach
        password token certificate firewall patch release version feature defect ticket sprint roadmap milestone
        deadline schedule tracking parcel courier postal address region country city
        village river mountain forest farm harvest wheat grain coffee cocoa sugar cotton textile garment factory
        assembly plant machine robot tool metal steel copper aluminum lumber cement glass plastic rubber paper
        printing publishing author editor journal article chapter volume edition library archive museum exhibit
        painting sculpture music concert festival ticketing travel flight airline airport hotel booking passenger
        luggage visa passport border tariff quota embargo sanction treaty summit minister parliament election
        campaign survey poll census population household income poverty housing rent mortgage property estate
        tenant landlord lease zoning construction bridge tunnel highway traffic accident vehicle fleet charging
        hydrogen nuclear wind offshore drilling exploration mining ore gold silver lithium nickel cobalt refinery
        pipeline tanker spill cleanup wildlife habitat species climate weather storm flood drought rainfall
        temperature humidity satellite orbit launch rocket telescope galaxy planet vaccine antibody virus infection
        hospital clinic nurse surgeon therapy diagnosis symptom prescription pharmacy generic patent trademark
        copyright royalty licensing dispute arbitration settlement verdict judge jury witness testimony evidence
        """.Split([' ', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries);

    private static readonly string[] Collocations =
    [
        "supply chain", "bill of lading", "interest rate", "clinical trial", "balance sheet", "letter of credit",
        "purchase order", "free trade", "power grid", "data breach", "due diligence", "carbon emission", "cash flow",
        "port of rotterdam", "customs clearance", "annual report", "board of directors", "side effects",
    ];

    private static readonly string[] Syllables =
        "ka lo ri mu te sa vo ne pi da fu go ra shi ton ber lan mor vel quin dex tro par sil cor nam bri zel wen hal jor".Split(' ');

    private readonly string[] _vocabulary;
    private readonly double[] _cumulative;
    private readonly Random _random;

    /// <summary>The vocabulary is always the same; <paramref name="seed"/> picks the sequence of texts.</summary>
    public SearchCorpus(int seed = Seed, int tailWords = 8000)
    {
        _random = new Random(seed);
        var tail = new HashSet<string>(StringComparer.Ordinal);
        var random = new Random(Seed + 1);
        var known = new HashSet<string>(StopWords.Concat(RealWords), StringComparer.Ordinal);
        while (tail.Count < tailWords)
        {
            var word = string.Concat(Enumerable.Range(0, random.Next(2, 5)).Select(_ => Syllables[random.Next(Syllables.Length)]));
            if (!known.Contains(word)) tail.Add(word);
        }

        _vocabulary = [.. StopWords, .. RealWords, .. tail];
        _cumulative = new double[_vocabulary.Length];
        var sum = 0.0;
        for (var rank = 0; rank < _vocabulary.Length; rank++) _cumulative[rank] = sum += 1.0 / (rank + 1);
        for (var rank = 0; rank < _cumulative.Length; rank++) _cumulative[rank] /= sum;
    }

    public int VocabularySize => _vocabulary.Length;

    /// <summary>A made-up word of the long tail by its rank there (0 = most frequent of the tail).</summary>
    public string Tail(int rank) => _vocabulary[StopWords.Length + RealWords.Length + rank];

    /// <summary>The real word at a rank among the real words (0 = most frequent), for queries of known selectivity.</summary>
    public static string Real(int rank) => RealWords[rank];

    /// <summary>One chunk of 300–1,000 characters (a little over when the last sentence runs on).</summary>
    public string NextChunk()
    {
        var target = _random.Next(300, 1001);
        var text = new StringBuilder(target + 120);
        while (text.Length < target)
        {
            if (text.Length > 0) text.Append(' ');
            var words = _random.Next(6, 19);
            for (var i = 0; i < words; i++)
            {
                var word = _random.NextDouble() < 0.01 ? Collocations[_random.Next(Collocations.Length)] : NextWord();
                if (i == 0) text.Append(char.ToUpperInvariant(word[0])).Append(word, 1, word.Length - 1);
                else text.Append(' ').Append(word);
            }

            text.Append('.');
        }

        return text.ToString();
    }

    private string NextWord()
    {
        var at = Array.BinarySearch(_cumulative, _random.NextDouble());
        return _vocabulary[at < 0 ? Math.Min(~at, _vocabulary.Length - 1) : at];
    }

    /// <summary>
    /// The lexical query set (SPEC §7 syntax): single terms from frequent to rare, AND, OR, phrases, prefix wildcards,
    /// grouping and exclusion, and plain multi-word queries.
    /// </summary>
    public IReadOnlyList<string> LexicalQueries() =>
    [
        // single terms, by frequency rank among the real words (0: in ~40 % of the chunks; 300+: rare) and from the tail
        Real(0), Real(3), Real(8), Real(20), Real(45), Real(80), Real(120), Real(170), Real(230), Real(270), Real(310),
        Tail(0), Tail(800), Tail(3000), Tail(7000), "rotterdam",
        // AND
        $"{Real(0)} AND {Real(1)}", $"{Real(2)} AND {Real(30)}", $"{Real(10)} AND {Real(60)}", $"{Real(5)} AND {Real(150)}",
        $"{Real(40)} AND {Real(41)}", $"{Real(100)} AND {Real(200)}", $"{Real(7)} AND {Real(9)} AND {Real(11)}", $"{Real(15)} AND {Real(250)}",
        // OR
        $"{Real(0)} OR {Real(1)}", $"{Real(50)} OR {Real(51)}", $"{Real(130)} OR {Real(260)}", $"{Real(4)} OR {Real(280)}",
        $"{Real(12)} OR {Real(13)} OR {Real(14)}", $"{Real(70)} OR {Real(180)}", $"{Real(220)} OR {Real(305)}", $"{Real(25)} OR {Real(90)}",
        // phrases
        "\"supply chain\"", "\"bill of lading\"", "\"interest rate\"", "\"clinical trial\"", "\"port of rotterdam\"", $"\"{Real(0)} {Real(1)}\"",
        // prefix wildcards
        "ship*", "contain*", "pay*",
        // grouping, exclusion, mixed
        $"({Real(0)} OR {Real(2)}) AND {Real(35)}", $"+{Real(3)} -{Real(6)}", $"\"cash flow\" AND {Real(16)}", $"{Real(20)} AND NOT {Real(21)}",
        // plain words (OR between bare terms)
        $"{Real(17)} {Real(95)} {Real(160)}", $"{Real(33)} {Real(210)}", $"{Real(1)} {Real(64)} {Real(128)} {Real(256)}",
    ];

    /// <summary>Plain-word queries for dense and hybrid search (no syntax, as an agent would ask).</summary>
    public static IReadOnlyList<string> PlainQueries() =>
    [
        Real(0), Real(8), Real(45), Real(120), Real(230), Real(310),
        $"{Real(0)} {Real(1)}", $"{Real(2)} {Real(30)}", $"{Real(10)} {Real(60)}", $"{Real(100)} {Real(200)}",
        $"{Real(17)} {Real(95)} {Real(160)}", $"{Real(33)} {Real(210)}", $"{Real(1)} {Real(64)} {Real(128)} {Real(256)}",
        "supply chain delays at the port", "interest rate on the loan", "clinical trial results for the vaccine",
        "customs clearance of the container", "late payment of the freight invoice", "battery storage on the power grid",
        "data breach of the customer database", "board of directors meeting minutes", "court ruling on the insurance claim",
        "oil tanker spill cleanup", "wheat harvest after the drought", "annual report revenue and profit margin",
    ];
}
