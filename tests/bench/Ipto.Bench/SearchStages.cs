using System.Globalization;
using System.Net;
using System.Text.Json;
using Ipto.Api.Endpoints;
using Ipto.Api.Http;
using Ipto.Common;
using Ipto.Datasets;
using Ipto.Grains.Datasets;
using Ipto.Grains.Metering;
using Ipto.Grains.Search;
using Ipto.Grains.Storage;
using Ipto.Identity;
using Ipto.Search;
using Lucene.Net.Analysis;
using Microsoft.Extensions.DependencyInjection;
using Orleans;

/// <summary>
/// Where the time of a lexical search over HTTP goes, without a profiler: each stage of the request path is run on
/// its own, through the same services and grains the endpoint uses, once per query and interleaved, and its median is
/// reported beside the end-to-end figure.
/// </summary>
internal sealed class SearchStages(
    IServiceProvider services, SearchBenchClient client, RawSearch raw, string datasetId, string providerTenantId,
    string buyerTenantId, string keyId)
{
    private readonly Dictionary<string, LatencySeries> _stages = [];
    private readonly List<string> _order = [];

    public async Task RunAsync(IReadOnlyList<string> queries, int rounds, double apiP50, double rawP50)
    {
        var grains = services.GetRequiredService<IGrainFactory>();
        var searchable = services.GetRequiredService<SearchableDatasets>();
        var ledger = services.GetRequiredService<LedgerWriter>();
        var json = new JsonSerializerOptions();
        ApiJson.Configure(json);
        using var analyzer = LexicalQuery.CreateAnalyzer();
        var caller = new Caller(buyerTenantId, keyId, PrincipalTypes.ApiKey, [Scopes.SearchQuery], false);
        var coordinator = grains.GetGrain<ISearchCoordinatorGrain>(0);
        var index = services.GetRequiredService<IndexShardMap>().All().Single();
        var scope = new DatasetScope(buyerTenantId, null, true, null, (await searchable.CurrentAsync()).Version);
        var dataset = grains.GetGrain<IDatasetGrain>(datasetId);
        var depth = SearchCoordinatorGrain.Depth(SearchRequestBody.DefaultLimit);

        for (var round = 0; round < rounds; round++)
        {
            foreach (var query in queries)
            {
                var request = new SearchRequest(query, SearchModes.Lexical, null, null, SearchRequestBody.DefaultLimit, null, true);
                await TimeAsync("HTTP round trip, anonymous (GET /health)", () => client.GetAsync("/health", apiKey: false));
                await TimeAsync("HTTP + API-key auth + 1 grain call (GET /v1/me)", () => client.GetAsync("/v1/me", apiKey: true));
                await TimeAsync("POST /v1/search refused by validation (HTTP, auth, body binding; 422)",
                    () => client.SearchExpectingAsync(SearchBenchClient.SearchBody(query, SearchModes.Lexical, 0), HttpStatusCode.UnprocessableEntity));
                await TimeAsync("POST /v1/search over HTTP (again, here)", () => client.SearchAsync(SearchBenchClient.SearchBody(query, SearchModes.Lexical, 10)));
                var page = await TimeAsync("coordinator grain called directly (whole search minus HTTP/auth/JSON)",
                    () => coordinator.Search(caller, request));
                await TimeAsync("  searchable-dataset view: CurrentAsync (cached, polled)", async () => (await searchable.CurrentAsync()).Version);
                await TimeAsync("  dataset grain: OpenForSearch", () => dataset.OpenForSearch(caller));
                var found = await TimeAsync($"  shard grain: Search, top {depth} (as the coordinator asks)",
                    () => index.Search(new ShardQuery(new IndexQuery(query, null, null, depth), scope, null)));
                await TimeAsync($"  shard grain: Search, top {SearchRequestBody.DefaultLimit}",
                    () => index.Search(new ShardQuery(new IndexQuery(query, null, null, SearchRequestBody.DefaultLimit), scope, null)));
                Time($"  (raw Lucene, top {depth}, same process)", () => raw.Lexical(query, depth));
                Time($"  (raw Lucene, top {depth}, without loading the stored documents)", () => raw.LexicalDocIds(query, depth));
                var top = found.Lexical.Take(SearchRequestBody.DefaultLimit).ToArray();
                var stored = await TimeAsync($"  shard grain: Fetch the page's {top.Length} stored chunks",
                    () => index.Fetch(top.Select(m => new ChunkRef(m.ObjectId, m.ChunkIndex)).ToArray()));
                var parsed = LexicalQuery.Parse(query, analyzer);
                Time("  snippets: SnippetBuilder for the page's hits", () => stored.Select(h => SnippetBuilder.Build(parsed, h.Text, analyzer)).ToArray());
                await TimeAsync("  spend counter: Reserve", () => grains.GetGrain<ISpendCounterGrain>(keyId)
                    .Reserve("tnt_bench", new Ipto.ApiKeys.SpendLimit(long.MaxValue / 2, "month"), top.Select(_ => 30_000L).ToArray()));
                await TimeAsync("  session grain: Start (the hits past the page)", async () =>
                {
                    var rest = found.Lexical.Skip(top.Length).Select(h => new RankedHit(h, h.Score)).ToArray();
                    await grains.GetGrain<ISearchSessionGrain>(Ids.New(IdPrefixes.SearchSession))
                        .Start(new SearchSession(buyerTenantId, keyId, request, SearchModes.Lexical, rest));
                    return rest.Length;
                });
                await TimeAsync("  ledger: a row per hit + 1, one group commit (SQLite)", () => AppendLedgerAsync(ledger, query, top));
                Time("JSON: serialize the response envelope", () => JsonSerializer.SerializeToUtf8Bytes(Envelope(page), json));
            }
        }

        Print(apiP50, rawP50);
        await PrintConcurrencyAsync(coordinator, caller, index, scope, queries, depth);
        await PrintJournalProbeAsync(await ApiJournalAsync());
    }

    /// <summary>The journal mode and synchronous setting of the Api's own database, as its connections see them.</summary>
    private async Task<string> ApiJournalAsync()
    {
        await using var connection = await services.GetRequiredService<AppDatabase>().OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode";
        var journal = Convert.ToString(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture)!.ToUpperInvariant();
        command.CommandText = "PRAGMA synchronous";
        var synchronous = Convert.ToInt32(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture) switch
        {
            0 => "OFF", 1 => "NORMAL", 2 => "FULL", _ => "EXTRA",
        };
        return $"{journal} / {synchronous}";
    }

    /// <summary>How far each layer scales with 8 concurrent callers on this machine (one dataset in one shard).</summary>
    private async Task PrintConcurrencyAsync(ISearchCoordinatorGrain coordinator, Caller caller, IIndexShardGrain index, DatasetScope scope, IReadOnlyList<string> queries, int depth)
    {
        const int Workers = 8;
        var total = Math.Max(400, queries.Count * 8);
        string Q(int i) => queries[i % queries.Count];
        var rawTop = Concurrent.Throughput(total, Workers, i => raw.Lexical(Q(i), depth));
        var rawTopSequential = Concurrent.Throughput(total, 1, i => raw.Lexical(Q(i), depth));
        var grain = await Concurrent.ThroughputAsync(total, Workers, i => index.Search(new ShardQuery(new IndexQuery(Q(i), null, null, depth), scope, null)));
        var grainSequential = await Concurrent.ThroughputAsync(total, 1, i => index.Search(new ShardQuery(new IndexQuery(Q(i), null, null, depth), scope, null)));
        var search = await Concurrent.ThroughputAsync(total, Workers,
            i => coordinator.Search(caller, new SearchRequest(Q(i), SearchModes.Lexical, null, null, SearchRequestBody.DefaultLimit, null, true)));
        var searchSequential = await Concurrent.ThroughputAsync(total, 1,
            i => coordinator.Search(caller, new SearchRequest(Q(i), SearchModes.Lexical, null, null, SearchRequestBody.DefaultLimit, null, true)));
        Console.WriteLine();
        Console.WriteLine($"Throughput of the layers, lexical, {total} queries each (q/s):");
        Console.WriteLine();
        Console.WriteLine($"| layer | 1 caller | {Workers} concurrent callers |");
        Console.WriteLine("|---|---|---|");
        Console.WriteLine($"| raw Lucene, top {depth} + stored docs | {Q0(rawTopSequential)} | {Q0(rawTop)} |");
        Console.WriteLine($"| shard grain Search, top {depth} | {Q0(grainSequential)} | {Q0(grain)} |");
        Console.WriteLine($"| coordinator grain Search (whole search minus HTTP) | {Q0(searchSequential)} | {Q0(search)} |");
    }

    private static async Task PrintJournalProbeAsync(string apiSetting)
    {
        var directory = Directory.CreateTempSubdirectory("ipto-journal-probe-").FullName;
        try
        {
            Console.WriteLine();
            Console.WriteLine($"The ledger's commit pattern ({SearchRequestBody.DefaultLimit + 1} inserts in one transaction on a freshly opened pooled connection) " +
                              "on scratch SQLite files in this file system:");
            Console.WriteLine();
            Console.WriteLine("| journal_mode / synchronous | p50 (ms) | p99 (ms) |");
            Console.WriteLine("|---|---|---|");
            foreach (var (journal, synchronous) in SqliteJournalProbe.Settings)
            {
                var series = await SqliteJournalProbe.TimeAsync(directory, journal, synchronous, 300, SearchRequestBody.DefaultLimit + 1);
                var setting = $"{journal} / {synchronous}";
                Console.WriteLine($"| {setting}{(setting == apiSetting ? " (the Api's database now)" : "")} | {F(series.P50)} | {F(series.P99)} |");
            }
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static string Q0(double value) => value.ToString("F0", CultureInfo.InvariantCulture);

    private async Task<int> AppendLedgerAsync(LedgerWriter ledger, string query, IReadOnlyList<IndexMatch> hits)
    {
        var now = DateTimeOffset.UtcNow;
        var searchId = Ids.New(IdPrefixes.SearchActivity, now);
        var rows = new List<LedgerRow>(hits.Count + 1);
        rows.AddRange(hits.Select(h => new AccessEventRow(Ids.New(IdPrefixes.Retrieval, now), "retrieval", buyerTenantId, providerTenantId, datasetId,
            h.ObjectId, keyId, searchId, 30_000, now)));
        rows.Add(new SearchActivityRow(searchId, buyerTenantId, keyId, keyId, query, [datasetId], hits.Count, 30_000L * hits.Count, now));
        await Task.WhenAll(rows.Select(ledger.AppendAsync));
        return rows.Count;
    }

    private static Envelope<SearchResponse> Envelope(SearchPage page)
    {
        var results = page.Results.Select(r => new SearchResultResponse(r.RetrievalEventId, r.DatasetId, r.DatasetName, r.ObjectId, r.Filename,
            r.ContentType, r.Score, r.Snippet, r.Highlights, r.Locator, Money.FromMicros(r.PriceMicros), Money.Currency)).ToArray();
        return new Envelope<SearchResponse>(new SearchResponse(page.SearchId, page.Mode, results, results.Length, Money.FromMicros(page.ChargedMicros),
            Money.Currency, page.NextCursor, page.TruncatedBySpendLimit), "req_bench", DateTimeOffset.UtcNow);
    }

    private LatencySeries Series(string stage)
    {
        if (_stages.TryGetValue(stage, out var series)) return series;
        _order.Add(stage);
        return _stages[stage] = new LatencySeries();
    }

    private Task<T> TimeAsync<T>(string stage, Func<Task<T>> action) => Series(stage).TimeAsync(action);

    private void Time<T>(string stage, Func<T> action) => Series(stage).Time(action);

    private void Print(double apiP50, double rawP50)
    {
        var inside = _order.Where(s => s.StartsWith("  ", StringComparison.Ordinal) && !s.StartsWith("  (", StringComparison.Ordinal))
            .Where(s => !s.Contains($"top {SearchRequestBody.DefaultLimit}", StringComparison.Ordinal)).Sum(s => _stages[s].P50);
        Console.WriteLine();
        Console.WriteLine($"Stages of a lexical search (p50 over {_stages[_order[0]].Count} runs each; indented = inside the coordinator):");
        Console.WriteLine();
        Console.WriteLine("| stage | p50 (ms) | p99 (ms) |");
        Console.WriteLine("|---|---|---|");
        Console.WriteLine($"| POST /v1/search over HTTP (end to end, from the main run) | {F(apiP50)} | |");
        Console.WriteLine($"| raw Lucene top 10 + stored docs (from the main run) | {F(rawP50)} | |");
        foreach (var stage in _order) Console.WriteLine($"| {stage.Trim()} | {F(_stages[stage].P50)} | {F(_stages[stage].P99)} |");
        Console.WriteLine($"| sum of the coordinator's stages (read model, dataset, index top {SearchCoordinatorGrain.Depth(SearchRequestBody.DefaultLimit)}, snippets, spend, session, ledger) | {F(inside)} | |");
    }

    private static string F(double value) => value.ToString("F2", CultureInfo.InvariantCulture);
}
