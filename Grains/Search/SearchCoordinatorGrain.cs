using Ipto.Common;
using Ipto.Datasets;
using Ipto.Grains.Datasets;
using Ipto.Grains.Hosting;
using Ipto.Grains.Idempotency;
using Ipto.Grains.Metering;
using Ipto.Grains.Storage;
using Ipto.Identity;
using Ipto.Metering;
using Ipto.Search;
using Lucene.Net.Analysis;
using Lucene.Net.Search;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;

namespace Ipto.Grains.Search;

/// <summary>
/// The search path of SPEC §7, run on the silo that receives the call: the caller's dataset scope (checked by each shard
/// against its silo's searchable-dataset view), fan-out to every shard (BM25 statistics first, so scores compare across
/// shards), fusion and dedup, then — for the datasets that have hits only — each dataset grain's final say and pricing
/// profile, spend limit, ledger, snippets.
/// </summary>
[StatelessWorker, Reentrant] // no state: searches in flight interleave while they await indexes and the ledger
public sealed class SearchCoordinatorGrain(
    SearchableDatasets searchable,
    IndexShardMap shards,
    LedgerWriter ledger,
    SearchReplays replays,
    Cursors cursors,
    Orleans.Serialization.Serializer<SearchPage> pages,
    IOptions<IptoOptions> options,
    ITextEmbedder embedder,
    TimeProvider time,
    ILogger<SearchCoordinatorGrain> logger) : Grain, ISearchCoordinatorGrain
{
    /// <summary>Ranked results a session can page through: five pages of the requested size, at most 200.</summary>
    public static int Depth(int limit) => Math.Min(200, limit * 5 + 10);

    private static readonly Analyzer Analyzer = LexicalQuery.CreateAnalyzer();

    public async Task<SearchPage> Search(Caller caller, SearchRequest request, SearchAttempt? attempt = null)
    {
        EnsureScope(caller);
        if (await ReplayAsync(attempt) is { } replay) return replay;
        var (mode, lexicalText) = QueryClassifier.Resolve(request.Mode, request.Query, Analyzer);

        // Parse first: a syntax error is the caller's answer even when no dataset is searchable.
        var lexical = mode is SearchModes.Lexical or SearchModes.Hybrid ? LexicalQuery.Parse(lexicalText, Analyzer) : TryParse(lexicalText);
        var (scope, profiles) = await ScopeAsync(caller, request);
        // The model runs off the grain's scheduler: a few milliseconds of CPU that other searches need not wait behind.
        var vector = mode is SearchModes.Dense or SearchModes.Hybrid ? await Task.Run(() => embedder.Embed([request.Query])[0]) : null;

        var filter = request.Filters is { } f ? new IndexFilter(f.ContentTypes, f.ObjectIds, f.UploadedAfter, f.UploadedBefore) : null;
        var query = new IndexQuery(mode is SearchModes.Lexical or SearchModes.Hybrid ? lexicalText : null, vector, filter, Depth(request.Limit));
        var all = shards.All();
        var statistics = query.Lexical is not null && all.Length > 1
            ? CorpusStatistics.Sum(await Task.WhenAll(all.Select(shard => shard.Statistics(query.Lexical))))
            : null;
        var results = await Task.WhenAll(all.Select(shard => shard.Search(new ShardQuery(query, scope, statistics))));

        var lexicalHits = ResultFusion.MergeByScore(results.SelectMany(r => r.Lexical));
        var denseHits = ResultFusion.MergeByScore(results.SelectMany(r => r.Dense));
        var ranked = ResultFusion.Dedup(mode switch
        {
            SearchModes.Lexical => ResultFusion.Scored(lexicalHits),
            SearchModes.Dense => ResultFusion.Scored(denseHits),
            _ => ResultFusion.Fuse(lexicalHits, denseHits),
        });

        return await ServeAsync(caller, request, mode, lexical, profiles, ranked, request.Limit, 0, attempt);
    }

    public async Task<SearchPage> Continue(Caller caller, string cursor, int limit, SearchAttempt? attempt = null)
    {
        EnsureScope(caller);
        if (await ReplayAsync(attempt) is { } replay) return replay;
        var sessionId = (await cursors.CodecAsync()).Decode(CursorScope(caller), cursor);
        // A session is claimed whole; what this page does not serve goes into a new session for the next cursor.
        var slice = await GrainFactory.GetGrain<ISearchSessionGrain>(sessionId).Claim(caller)
                    ?? throw new IptoException(ErrorCodes.InvalidRequest, "This search session has expired; run the search again.",
                        [new FieldError("cursor", "refers to an expired search session")]);
        var request = slice.Request;
        // Highlight with the lexical text the first page used (auto mode may have escaped the query).
        var lexical = TryParse(QueryClassifier.Resolve(request.Mode, request.Query, Analyzer).LexicalText);
        // Between pages a dataset may have closed (its grain says so when the page reaches it) or the key's allow-list
        // changed; deleted objects drop out at fetch.
        var hits = slice.Hits.Where(h => caller.AllowedDatasetIds is null || caller.AllowedDatasetIds.Contains(h.Match.DatasetId)).ToList();
        var profiles = new HitDatasetProfiles(GrainFactory, caller, request.Filters?.SourceModalities);
        return await ServeAsync(caller, request, slice.ModeUsed, lexical, profiles, hits, limit, slice.RanksServed, attempt);
    }

    /// <summary>The page an earlier attempt of this idempotent search served, when one may have run and did.</summary>
    private async Task<SearchPage?> ReplayAsync(SearchAttempt? attempt) =>
        attempt is { MayHaveRun: true } && await replays.FindAsync(SearchIdOf(attempt)) is { } page ? pages.Deserialize(page) : null;

    private static string SearchIdOf(SearchAttempt attempt) => new CreationValues(attempt.Seed).NewId(IdPrefixes.SearchActivity);

    /// <summary>A search cursor works for the principal whose search it continues.</summary>
    private static string CursorScope(Caller caller) => $"search:{caller.TenantId}:{caller.PrincipalId}";

    /// <summary>Keeps what the page did not serve in a new session, whose id the next cursor carries.</summary>
    private async Task<string?> KeepRestAsync(Caller caller, SearchRequest request, string mode, IReadOnlyList<RankedHit> rest, int ranksServed)
    {
        if (rest.Count == 0) return null;
        var sessionId = Ids.New(IdPrefixes.SearchSession);
        await GrainFactory.GetGrain<ISearchSessionGrain>(sessionId).Start(new SearchSession(caller.TenantId, caller.PrincipalId, request, mode, rest, ranksServed));
        return (await cursors.CodecAsync()).Encode(CursorScope(caller), sessionId);
    }

    /// <summary>
    /// Prices the ranked matches and fills a page, loads the stored chunks of that page only (a chunk deleted since
    /// drops out), applies the spend limit, writes the ledger, builds snippets.
    /// </summary>
    private async Task<SearchPage> ServeAsync(Caller caller, SearchRequest request, string mode, Query? lexical,
        HitDatasetProfiles profiles, IReadOnlyList<RankedHit> ranked, int limit, int ranksServed, SearchAttempt? attempt)
    {
        var now = time.GetUtcNow();
        var priced = new List<(RankedHit Hit, DatasetSearchProfile Dataset, long Price)>();
        var consumed = 0;
        foreach (var hit in ranked)
        {
            if (priced.Count == limit) break;
            // Profiles are opened a window of upcoming hits at a time: only datasets with hits on this page are asked.
            if (!profiles.Knows(hit.Match.DatasetId))
                await profiles.OpenAsync(ranked.Skip(consumed).Take(Math.Max(2 * limit, 20)).Select(h => h.Match.DatasetId));
            consumed++;
            if (profiles.Find(hit.Match.DatasetId) is not { } dataset) continue; // closed since the view was read
            var price = caller.Owns(dataset.TenantId) ? 0 : PriceOf(dataset, hit.Match, now);
            if (request.MaxPricePerResultMicros is { } max && price > max) continue;
            priced.Add((hit, dataset, price));
        }

        var stored = await FetchAsync(priced.Select(c => c.Hit.Match));
        var candidates = priced.Where(c => stored.ContainsKey(ResultFusion.ChunkKey(c.Hit.Match)))
            .Select(c => (c.Hit, c.Dataset, c.Price, Stored: stored[ResultFusion.ChunkKey(c.Hit.Match)])).ToList();

        var paid = candidates.Where(c => c.Price > 0).Select(c => c.Price).ToArray();
        var admitted = candidates.Count;
        var truncated = false;
        SpendReservation? reservation = null;
        if (paid.Length > 0 && caller.PrincipalType == PrincipalTypes.ApiKey && caller.SpendLimit is { } spendLimit)
        {
            reservation = await GrainFactory.GetGrain<ISpendCounterGrain>(caller.PrincipalId).Reserve(caller.TenantId, spendLimit, paid);
            if (reservation.Admitted < paid.Length)
            {
                if (reservation.RemainingMicros + reservation.ReservedMicros == 0)
                {
                    Diagnostics.IptoMetrics.SpendLimitRefused();
                    throw new IptoException(ErrorCodes.SpendLimitExceeded, "This API key has spent its budget for the period.");
                }

                truncated = true;
                admitted = AdmittedCount(candidates.Select(c => c.Price), reservation.Admitted);
            }
        }

        var served = candidates.Take(admitted).ToList();
        // What was not served stays for the next page: the unread tail, plus what the budget cut off.
        var rest = candidates.Skip(admitted).Select(c => c.Hit).Concat(ranked.Skip(consumed)).ToList();

        var searchId = attempt is null ? Ids.New(IdPrefixes.SearchActivity, now) : SearchIdOf(attempt);
        var results = new List<SearchResult>(served.Count);
        var retrievals = new List<LedgerRow>(served.Count);
        var (datasetsSeen, providersSeen) = (new HashSet<string>(StringComparer.Ordinal), new HashSet<string>(StringComparer.Ordinal));
        foreach (var (hit, dataset, price, chunk) in served)
        {
            string? retrievalId = null;
            var rank = ranksServed + results.Count + 1; // 1-based across the search's pages
            if (!caller.Owns(dataset.TenantId))
            {
                retrievalId = Ids.New(IdPrefixes.Retrieval, now);
                retrievals.Add(new AccessEventRow(retrievalId, AccessTypes.Retrieval, caller.TenantId, dataset.TenantId, dataset.DatasetId, chunk.ObjectId,
                    caller.ApiKeyId, searchId, price, now)
                {
                    PrincipalId = caller.PrincipalId, Rank = rank, ChunkIndex = chunk.Locator.ChunkIndex, Locator = chunk.Locator,
                    FirstOfDataset = datasetsSeen.Add(dataset.DatasetId), FirstOfProvider = providersSeen.Add(dataset.TenantId),
                });
            }

            var (snippet, highlights) = SnippetBuilder.Build(lexical, chunk.Text, Analyzer);
            results.Add(new SearchResult(retrievalId, dataset.DatasetId, dataset.Name, chunk.ObjectId, chunk.Filename, chunk.ContentType,
                hit.Score, snippet, highlights, chunk.Locator, price));
        }

        var charged = Money.Sum(served.Select(s => s.Price));
        var page = new SearchPage(searchId, mode, results, charged, await KeepRestAsync(caller, request, mode, rest, ranksServed + results.Count), truncated);
        // One unit, led by the search activity: all of it is recorded, or (an earlier attempt was) none of it.
        LedgerRow[] unit =
        [
            new SearchActivityRow(searchId, caller.TenantId, caller.ApiKeyId, caller.PrincipalId, request.Query,
                SearchedDatasets(caller, request, profiles, results), results.Count, charged, now),
            .. retrievals,
            .. attempt is null ? [] : new LedgerRow[] { new SearchReplayRow(searchId, pages.SerializeToArray(page), now + options.Value.Idempotency.Retention) },
        ];
        bool recorded;
        try
        {
            recorded = await ledger.AppendAsync(unit, mayRepeat: attempt is not null);
        }
        catch (Exception e)
        {
            await ReleaseAsync(caller, reservation);
            logger.LogError(e, "The ledger did not take search {SearchId}; nothing was charged", searchId);
            throw new IptoException(ErrorCodes.ServiceUnavailable, "The search could not be recorded; retry shortly.");
        }

        if (recorded)
        {
            Diagnostics.IptoMetrics.SearchAnswered(mode, results.Count);
            return page;
        }

        // Another attempt of this idempotent search was recorded first (it ran on while this one was retried): its page stands.
        await ReleaseAsync(caller, reservation);
        return (attempt is null ? null : await ReplayAsync(attempt with { MayHaveRun = true }))
               ?? throw new IptoException(ErrorCodes.ServiceUnavailable, "The search could not be recorded; retry shortly.");
    }

    private Task ReleaseAsync(Caller caller, SpendReservation? reservation) => reservation is null
        ? Task.CompletedTask
        : GrainFactory.GetGrain<ISpendCounterGrain>(caller.PrincipalId).Release(reservation.Period, reservation.ReservedMicros);

    /// <summary>How many candidates fit when only the first <paramref name="paidAdmitted"/> paid ones do (free ones before the cut stay).</summary>
    private static int AdmittedCount(IEnumerable<long> prices, int paidAdmitted)
    {
        var count = 0;
        foreach (var price in prices)
        {
            if (price > 0 && paidAdmitted-- == 0) break;
            count++;
        }

        return count;
    }

    /// <summary>The stored chunks of <paramref name="matches"/>, by chunk key, fetched from their shards in parallel.</summary>
    private async Task<Dictionary<string, IndexHit>> FetchAsync(IEnumerable<IndexMatch> matches)
    {
        var byShard = matches.GroupBy(m => IndexShards.Of(m.DatasetId, m.ObjectId, shards.Count)).ToArray();
        var fetched = await Task.WhenAll(byShard.Select(group => GrainFactory.GetGrain<IIndexShardGrain>(group.Key)
            .Fetch(group.Select(m => new ChunkRef(m.ObjectId, m.ChunkIndex)).ToArray())));
        var stored = new Dictionary<string, IndexHit>(StringComparer.Ordinal);
        foreach (var hit in fetched.SelectMany(hits => hits)) stored[ResultFusion.ChunkKey(hit)] = hit;
        return stored;
    }

    private static long PriceOf(DatasetSearchProfile dataset, IndexMatch hit, DateTimeOffset now)
    {
        var ageDays = hit.ApprovedAt is { } approved ? (now - approved).TotalDays : 0;
        return EffectivePrice.RetrievalMicros(dataset.PricingModel, dataset.Pricing, ageDays, dataset.QueriesLast24h);
    }

    /// <summary>
    /// The caller's dataset scope for the shards, at this silo's view version. Datasets named in the request are checked
    /// here, each by its grain as well (404 naming it); without names the shards apply the view and the dataset grains
    /// of the hits have the final say when the page is served.
    /// </summary>
    private async Task<(DatasetScope Scope, HitDatasetProfiles Profiles)> ScopeAsync(Caller caller, SearchRequest request)
    {
        var view = await searchable.CurrentAsync();
        var profiles = new HitDatasetProfiles(GrainFactory, caller, request.Filters?.SourceModalities);
        IReadOnlyList<string>? datasetIds = caller.AllowedDatasetIds?.ToArray();
        if (request.DatasetIds is { Count: > 0 } named)
        {
            for (var i = 0; i < named.Count; i++)
            {
                if (!view.MayUse(caller.TenantId, named[i]) || (caller.AllowedDatasetIds is { } allow && !allow.Contains(named[i])))
                    throw NotSearchable(named, i);
            }

            datasetIds = named.Distinct(StringComparer.Ordinal).ToArray();
            await profiles.OpenAsync(datasetIds);
            // The view said yes, the dataset grain said no (paused or suspended since): the same 404.
            for (var i = 0; i < named.Count; i++)
            {
                if (!profiles.WasOpened(named[i])) throw NotSearchable(named, i);
            }
        }

        return (new DatasetScope(caller.TenantId, datasetIds, request.IncludeOwn, request.Filters?.SourceModalities, view.Version), profiles);
    }

    /// <summary>
    /// What the activity record lists: the named datasets that were searched, else those the results came from (the
    /// scope of an unnamed search is every dataset the caller may use, which is no record to keep per search).
    /// </summary>
    private static string[] SearchedDatasets(Caller caller, SearchRequest request, HitDatasetProfiles profiles, IReadOnlyList<SearchResult> results) =>
        (request.DatasetIds is { Count: > 0 } named
            ? named.Where(id => profiles.Find(id) is { } p && (request.IncludeOwn || !caller.Owns(p.TenantId)))
            : results.Select(r => r.DatasetId))
        .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();

    private static IptoException NotSearchable(IReadOnlyList<string> ids, int index) =>
        new(ErrorCodes.NotFound, $"Dataset {ids[index]} was not found or cannot be searched with this credential.",
            [new FieldError($"dataset_ids[{index}]", "was not found")]);

    private static Query? TryParse(string text) => LexicalQuery.TryParse(text, Analyzer);


    private static void EnsureScope(Caller caller) => Access.RequireScope(caller, Scopes.SearchQuery);
}
