using Ipto.Search;

namespace Ipto.Grains.Search;

/// <summary>
/// Ranking across indexes (SPEC §7): per-index lists merged by score (BM25 scores are comparable enough across indexes
/// of one analyzer, as in query-then-fetch), lexical and dense lists fused by reciprocal rank fusion, and duplicates
/// dropped: one result per chunk, and identical text within one object once.
/// </summary>
public static class ResultFusion
{
    public const int RrfK = 60;

    /// <summary>A chunk's identity within a search: the object and the chunk's index in it.</summary>
    public static string ChunkKey(string objectId, int chunkIndex) => objectId + "#" + chunkIndex.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public static string ChunkKey(IndexMatch hit) => ChunkKey(hit.ObjectId, hit.ChunkIndex);

    public static string ChunkKey(IndexHit hit) => ChunkKey(hit.ObjectId, hit.Locator.ChunkIndex);

    /// <summary>A stable 64-bit hash of a chunk's trimmed text, stored in the index for the identical-text rule.</summary>
    public static long TextHash(string text) =>
        BitConverter.ToInt64(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text.Trim())), 0);

    /// <summary>All hits, best score first; ties broken by dataset, object and chunk so a ranking is reproducible.</summary>
    public static List<IndexMatch> MergeByScore(IEnumerable<IndexMatch> hits) =>
        hits.OrderByDescending(h => h.Score).ThenBy(h => h.DatasetId, StringComparer.Ordinal).ThenBy(h => h.ObjectId, StringComparer.Ordinal)
            .ThenBy(h => h.ChunkIndex).ToList();

    /// <summary>Score = Σ 1 / (k + rank) over the lists a chunk appears in (ranks from 1).</summary>
    public static List<RankedHit> Fuse(IReadOnlyList<IndexMatch> lexical, IReadOnlyList<IndexMatch> dense)
    {
        var fused = new Dictionary<string, (IndexMatch Hit, double Score)>(StringComparer.Ordinal);
        foreach (var list in new[] { lexical, dense })
        {
            for (var i = 0; i < list.Count; i++)
            {
                var key = ChunkKey(list[i]);
                var add = 1.0 / (RrfK + i + 1);
                fused[key] = fused.TryGetValue(key, out var seen) ? (seen.Hit, seen.Score + add) : (list[i], add);
            }
        }

        return fused.Values.OrderByDescending(f => f.Score).ThenBy(f => f.Hit.DatasetId, StringComparer.Ordinal)
            .ThenBy(f => f.Hit.ObjectId, StringComparer.Ordinal).ThenBy(f => f.Hit.ChunkIndex)
            .Select(f => new RankedHit(f.Hit, f.Score)).ToList();
    }

    public static List<RankedHit> Scored(IEnumerable<IndexMatch> ranked) => ranked.Select(h => new RankedHit(h, h.Score)).ToList();

    /// <summary>Keeps the first of each chunk and of each identical text (by its hash) within an object, in rank order.</summary>
    public static List<RankedHit> Dedup(IEnumerable<RankedHit> ranked)
    {
        var chunks = new HashSet<string>(StringComparer.Ordinal);
        var texts = new HashSet<(string, long)>();
        var kept = new List<RankedHit>();
        foreach (var hit in ranked)
        {
            if (!chunks.Add(ChunkKey(hit.Match))) continue;
            if (!texts.Add((hit.Match.ObjectId, hit.Match.TextHash))) continue;
            kept.Add(hit);
        }

        return kept;
    }
}
