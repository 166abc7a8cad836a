using Ipto.Search;
using Lucene.Net.Index;
using Lucene.Net.Search;
using Lucene.Net.Search.Similarities;

namespace Ipto.Grains.Search;

/// <summary>
/// A searcher that notes every term and field statistic a query's weight asks for: the first phase of a search
/// collects them on each shard, the coordinator sums them into <see cref="CorpusStatistics"/>.
/// </summary>
internal sealed class StatisticsRecorder : IndexSearcher
{
    private readonly Dictionary<string, FieldStatistics> _fields = new(StringComparer.Ordinal);
    private readonly Dictionary<string, TermFrequencies> _terms = new(StringComparer.Ordinal);

    public StatisticsRecorder(IndexReader reader) : base(reader) => Similarity = new BM25Similarity();

    public CorpusStatistics Record(Query query)
    {
        CreateNormalizedWeight(query);
        return new CorpusStatistics(_fields, _terms);
    }

    public override TermStatistics TermStatistics(Term term, TermContext context)
    {
        var local = base.TermStatistics(term, context);
        _terms[CorpusStatistics.TermKey(term.Field, term.Bytes.Bytes.AsSpan(term.Bytes.Offset, term.Bytes.Length))] =
            new TermFrequencies(local.DocFreq, local.TotalTermFreq);
        return local;
    }

    public override CollectionStatistics CollectionStatistics(string field)
    {
        var local = base.CollectionStatistics(field);
        _fields[field] = new FieldStatistics(local.MaxDoc, local.DocCount, local.SumTotalTermFreq, local.SumDocFreq);
        return local;
    }
}

/// <summary>
/// A searcher that scores with the corpus-wide statistics instead of its shard's own, so BM25 scores from different
/// shards are comparable (what Elasticsearch calls DFS query-then-fetch). A term or field the first phase did not see
/// (written in between) falls back to the shard's own figures.
/// </summary>
internal sealed class CorpusSearcher : IndexSearcher
{
    private readonly CorpusStatistics _statistics;

    public CorpusSearcher(IndexReader reader, CorpusStatistics statistics) : base(reader)
    {
        _statistics = statistics;
        Similarity = new BM25Similarity();
    }

    public override TermStatistics TermStatistics(Term term, TermContext context) =>
        _statistics.Terms.TryGetValue(CorpusStatistics.TermKey(term.Field, term.Bytes.Bytes.AsSpan(term.Bytes.Offset, term.Bytes.Length)), out var global)
            ? new TermStatistics(term.Bytes, global.DocFreq, global.TotalTermFreq)
            : base.TermStatistics(term, context);

    public override CollectionStatistics CollectionStatistics(string field) =>
        _statistics.Fields.TryGetValue(field, out var global)
            ? new CollectionStatistics(field, global.MaxDoc, global.DocCount, global.SumTotalTermFreq, global.SumDocFreq)
            : base.CollectionStatistics(field);
}
