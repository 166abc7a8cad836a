using System.Runtime.CompilerServices;
using Ipto.Search;
using Lucene.Net.Index;
using Lucene.Net.Search;
using Lucene.Net.Util;

namespace Ipto.Grains.Search;

/// <summary>
/// Restricts a shard query to the documents of datasets a <see cref="DatasetScope"/> allows (judged by the view, once
/// per distinct dataset of a segment, not per document) and, when given, to an object filter. Random access, so dense
/// search checks candidates without materialising the set.
/// </summary>
internal sealed class DatasetScopeFilter(SearchableDatasetView view, DatasetScope scope, Filter? objects) : Filter
{
    public const string Field = "dataset_id";

    /// <summary>The dataset id of each ordinal of a segment's dataset_id doc values (segments are immutable).</summary>
    private static readonly ConditionalWeakTable<object, string[]> SegmentDatasets = new();

    public override DocIdSet? GetDocIdSet(AtomicReaderContext context, IBits? acceptDocs)
    {
        var reader = context.AtomicReader;
        var values = reader.GetSortedDocValues(Field);
        if (values is null) return null;
        var ids = SegmentDatasets.GetValue(reader.CoreCacheKey, _ => Enumerable.Range(0, values.ValueCount).Select(ord =>
        {
            var bytes = new BytesRef();
            values.LookupOrd(ord, bytes);
            return bytes.Utf8ToString();
        }).ToArray());
        var allowed = new bool[ids.Length];
        var any = false;
        for (var ord = 0; ord < ids.Length; ord++) any |= allowed[ord] = view.Allows(scope, ids[ord]);
        if (!any) return null;

        bool InScope(int doc)
        {
            var ord = values.GetOrd(doc);
            return ord >= 0 && allowed[ord];
        }

        if (objects is null) return new FieldCacheDocIdSet(reader.MaxDoc, acceptDocs, InScope);
        return objects.GetDocIdSet(context, acceptDocs) is { } inner ? new ScopedDocIdSet(inner, InScope) : null;
    }

    private sealed class ScopedDocIdSet(DocIdSet inner, Predicate<int> inScope) : FilteredDocIdSet(inner)
    {
        protected override bool Match(int docid) => inScope(docid);
    }
}
