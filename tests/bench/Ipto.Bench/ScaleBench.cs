using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Ipto.Common;
using Ipto.Datasets;
using Ipto.Grains.ObjectStore;
using Ipto.Grains.Search;
using Ipto.Objects;
using Ipto.Search;
using Microsoft.Extensions.DependencyInjection;
using Orleans;

/// <summary>
/// Search cost against the number of datasets, in one run: a provider's listed datasets (created over HTTP, their
/// chunk and vector files written to the object store, indexed by their shard, made active by the pipeline's own
/// transitions) grow step by step (default 1, 100, 1,000, 10,000). The first dataset holds the documents the queries
/// are about (one object of 40 corpus chunks); every other one is a small document of words no query uses, so each
/// step serves the same results and only the number of datasets to consider grows. At each step a buyer's API key runs
/// the same lexical and hybrid queries over HTTP (Kestrel, loopback) against everything it may use, and the managed
/// heap and dataset-grain activations are read. Then the shards move to an empty disk twice: restored from their
/// snapshots, and rebuilt from chunk files. Usage: dotnet run -c Release --project tests/bench/Ipto.Bench -- scale
/// [steps=1,100,1000,10000] [queries=300] [shards=4], or scale big=1000000 for one dataset of that many chunks.
/// </summary>
internal static class ScaleBench
{
    private const int Limit = 10;
    private const int VectorPool = 256;
    private const int AnchorChunks = 40;
    private static bool ReportedTypes;
    // The first step also waits out tiered JIT (measured before it is done, the first step is several times slower).
    private static readonly TimeSpan FirstWarmup = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Warmup = TimeSpan.FromSeconds(10);

    public static async Task RunAsync(string[] args)
    {
        var steps = (args.FirstOrDefault(a => a.StartsWith("steps=", StringComparison.Ordinal))?[6..] ?? "1,100,1000,10000")
            .Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        var queries = SearchBench.Option(args, "queries", 99, 300);
        var shardCount = SearchBench.Option(args, "shards", 99, 4);
        var big = SearchBench.Option(args, "big", 99, 0);
        await SearchBench.WithKestrelApiAsync(shardCount, (api, dataDir) => big > 0
            ? RunBigAsync(api, big, queries, shardCount)
            : RunAsync(api, dataDir, steps, queries, shardCount));
    }

    private sealed record Step(int Datasets, LatencySeries Lexical, LatencySeries Hybrid, double HeapMb, double WorkingSetMb, int DatasetActivations, double ResultsPerQuery);

    private static async Task RunAsync(SearchBench.KestrelApi api, string dataDir, int[] steps, int queries, int shardCount)
    {
        var clock = Stopwatch.StartNew();
        api.StartServer();
        Console.WriteLine($"scale bench {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm}Z: {Environment.ProcessorCount} cores, {shardCount} shards, steps {string.Join(", ", steps)} datasets, " +
                          $"{queries} timed queries per mode and step; Api on {api.BaseAddress} (Kestrel)");
        using var client = new SearchBenchClient(api.BaseAddress);
        var services = api.Services;
        var grains = services.GetRequiredService<IGrainFactory>();
        var map = services.GetRequiredService<IndexShardMap>();
        var store = services.GetRequiredService<IObjectStore>();
        var embedder = services.GetRequiredService<ITextEmbedder>();

        var provider = await SearchBench.SignupAsync(client, "provider", "Scale Provider");
        var buyer = await SearchBench.SignupAsync(client, "buyer", "Scale Buyer");
        var key = await client.CallAsync(HttpMethod.Post, "/v1/api-keys",
            new { name = "scale bench", scopes = new[] { "search:query" }, rate_limit_per_second = 10_000 }, buyer.SessionToken, HttpStatusCode.Created);
        client.ApiKey = key.GetProperty("key").GetString();

        var corpus = new SearchCorpus();
        var anchor = Enumerable.Range(0, AnchorChunks).Select(_ => corpus.NextChunk()).ToArray();
        var anchorVectors = embedder.Embed(anchor);
        var background = Enumerable.Range(0, VectorPool).Select(BackgroundText).ToArray();
        var backgroundVectors = embedder.Embed(background);
        var lexicalBodies = new SearchCorpus().LexicalQueries().Select(q => SearchBenchClient.SearchBody(q, SearchModes.Lexical, Limit)).ToArray();
        var hybridBodies = SearchCorpus.PlainQueries().Select(q => SearchBenchClient.SearchBody(q, SearchModes.Hybrid, Limit)).ToArray();

        var results = new List<Step>();
        var created = 0;
        foreach (var step in steps)
        {
            var watch = Stopwatch.StartNew();
            for (; created < step; created++)
            {
                var (texts, vectors) = created == 0
                    ? (anchor, anchorVectors)
                    : ([background[created % VectorPool]], [backgroundVectors[created % VectorPool]]);
                await AddDatasetAsync(client, grains, map, store, provider, created, texts, vectors);
            }
            Console.WriteLine($"{step:N0} datasets ready ({watch.Elapsed.TotalSeconds:F0} s for this step)");

            // Setup activated every dataset grain; a search should wake only those it serves from.
            var management = grains.GetGrain<IManagementGrain>(0);
            await management.ForceActivationCollection(TimeSpan.Zero);
            await WarmAsync(client, lexicalBodies, hybridBodies, results.Count == 0 ? FirstWarmup : Warmup);
            var lexical = new LatencySeries();
            var hybrid = new LatencySeries();
            var resultCount = 0L;
            for (var i = 0; i < queries; i++)
            {
                resultCount += Results(await lexical.TimeAsync(() => client.SearchAsync(lexicalBodies[i % lexicalBodies.Length])));
                resultCount += Results(await hybrid.TimeAsync(() => client.SearchAsync(hybridBodies[i % hybridBodies.Length])));
            }

            var activations = await DatasetActivationsAsync(management);
            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
            results.Add(new Step(step, lexical, hybrid, GC.GetTotalMemory(true) / 1048576.0, Process.GetCurrentProcess().WorkingSet64 / 1048576.0,
                activations, resultCount / (2.0 * queries)));
            Console.WriteLine($"  lexical p50 {Ms(lexical.P50)}, hybrid p50 {Ms(hybrid.P50)}; {activations} dataset grains active after the queries");
        }

        var restore = await MoveShardsAsync(grains, map, dataDir, store, client, lexicalBodies[0], fromSnapshot: true);
        var rebuild = await MoveShardsAsync(grains, map, dataDir, store, client, lexicalBodies[0], fromSnapshot: false);
        Report(results, shardCount, restore, rebuild, created);
        Console.WriteLine($"done in {clock.Elapsed.TotalMinutes:F1} min");
    }

    /// <summary>Thirty made-up words that appear in no query (the same for the same <paramref name="n"/>).</summary>
    private static string BackgroundText(int n) =>
        string.Join(' ', Enumerable.Range(0, 30).Select(k => "vq" + ((n * 31 + k * 17) % 9973).ToString("D4", CultureInfo.InvariantCulture) + "zt")) + ".";

    /// <summary>A listed dataset with one object of these chunks, made searchable the way the pipeline does it (files, shard, status).</summary>
    private static async Task AddDatasetAsync(SearchBenchClient client, IGrainFactory grains, IndexShardMap map, IObjectStore store, Ipto.Testing.Account provider,
        int n, IReadOnlyList<string> texts, IReadOnlyList<float[]> vectors)
    {
        var datasetId = (await client.CallAsync(HttpMethod.Post, "/v1/datasets", new { name = $"Scale dataset {n:D5}", visibility = "listed" }, provider.SessionToken,
            HttpStatusCode.Created)).GetProperty("dataset_id").GetString()!;
        await AddObjectAsync(map, store, provider, datasetId, n, texts, vectors);
        var dataset = grains.GetGrain<IDatasetGrain>(datasetId);
        await dataset.Advance(DatasetStatuses.Ingesting);
        await dataset.Advance(DatasetStatuses.Active);
    }

    /// <summary>One object of these chunks: its chunk and vector files, then its shard indexes it.</summary>
    private static async Task AddObjectAsync(IndexShardMap map, IObjectStore store, Ipto.Testing.Account provider, string datasetId, int n,
        IReadOnlyList<string> texts, IReadOnlyList<float[]> vectors)
    {
        var objectId = Ids.New(IdPrefixes.Object);
        var lines = new StringBuilder();
        long at = 0;
        for (var i = 0; i < texts.Count; i++)
        {
            lines.Append(JsonSerializer.Serialize(new
            {
                chunk_index = i, text = texts[i], locator = new { page = (int?)null, row = (long?)null, char_start = at, char_end = at + texts[i].Length, chunk_index = i },
            })).Append('\n');
            at += texts[i].Length + 2;
        }

        using (var chunks = new MemoryStream(Encoding.UTF8.GetBytes(lines.ToString())))
            await store.WriteAsync(ObjectKeys.ObjectChunks(datasetId, objectId), chunks, "application/x-ndjson");
        using (var file = new MemoryStream())
        {
            await using (var writer = await VectorFile.OpenWriterAsync(file, vectors[0].Length))
            {
                foreach (var vector in vectors) await writer.AppendAsync(vector);
            }

            file.Position = 0;
            await store.WriteAsync(ObjectKeys.ObjectVectors(datasetId, objectId), file, "application/octet-stream");
        }

        var now = DateTimeOffset.UtcNow;
        var snapshot = new ObjectSnapshot(objectId, datasetId, provider.TenantId, $"doc-{n:D5}.txt", "text/plain", at, null, ObjectStatuses.Active,
            ReviewStates.Approved, null, now, null, new Extraction(at, null, texts.Count, "en", null), now, now, now, null);
        if (await map.For(datasetId, objectId).IndexObject(snapshot) != texts.Count) throw new InvalidOperationException($"{objectId} was not indexed.");
    }

    /// <summary>
    /// <c>scale big=1000000</c>: one listed dataset of that many chunks (objects of 100 corpus chunks, indexed four at a
    /// time; 512 embedded texts' vectors reused round-robin, as a scan or graph costs the same whatever the values), then
    /// the lexical and hybrid query sets over HTTP. Segments of 20,000+ chunks build their graphs in the background
    /// meanwhile, so dense work is partly exact scans: the figures are an upper bound for hybrid.
    /// </summary>
    private static async Task RunBigAsync(SearchBench.KestrelApi api, int chunks, int queries, int shardCount)
    {
        const int PerObject = 100;
        var clock = Stopwatch.StartNew();
        api.StartServer();
        using var client = new SearchBenchClient(api.BaseAddress);
        var services = api.Services;
        var map = services.GetRequiredService<IndexShardMap>();
        var store = services.GetRequiredService<IObjectStore>();
        var embedder = services.GetRequiredService<ITextEmbedder>();
        var provider = await SearchBench.SignupAsync(client, "provider", "Big Provider");
        var buyer = await SearchBench.SignupAsync(client, "buyer", "Big Buyer");
        var key = await client.CallAsync(HttpMethod.Post, "/v1/api-keys",
            new { name = "big bench", scopes = new[] { "search:query" }, rate_limit_per_second = 10_000 }, buyer.SessionToken, HttpStatusCode.Created);
        client.ApiKey = key.GetProperty("key").GetString();
        var datasetId = (await client.CallAsync(HttpMethod.Post, "/v1/datasets", new { name = "Big dataset", visibility = "listed" }, provider.SessionToken,
            HttpStatusCode.Created)).GetProperty("dataset_id").GetString()!;
        var corpus = new SearchCorpus();
        var pool = embedder.Embed(Enumerable.Range(0, 512).Select(_ => corpus.NextChunk()).ToArray());
        var objects = chunks / PerObject;
        var texts = new string[objects][];
        for (var o = 0; o < objects; o++) texts[o] = Enumerable.Range(0, PerObject).Select(_ => corpus.NextChunk()).ToArray();
        var done = 0;
        await Parallel.ForAsync(0, objects, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (o, _) =>
        {
            await AddObjectAsync(map, store, provider, datasetId, o, texts[o], Enumerable.Range(0, PerObject).Select(j => pool[(o * PerObject + j) % pool.Length]).ToArray());
            texts[o] = [];
            if (Interlocked.Increment(ref done) % 1000 == 0) Console.WriteLine($"  {done * PerObject:N0} chunks indexed ({clock.Elapsed.TotalSeconds:F0} s)");
        });
        var dataset = services.GetRequiredService<IGrainFactory>().GetGrain<IDatasetGrain>(datasetId);
        await dataset.Advance(DatasetStatuses.Ingesting);
        await dataset.Advance(DatasetStatuses.Active);
        var indexed = (await Task.WhenAll(map.All().Select(shard => shard.Count(null)))).Sum();
        Console.WriteLine($"{indexed:N0} chunks in one dataset over {shardCount} shards ({clock.Elapsed.TotalSeconds:F0} s)");

        var lexicalBodies = new SearchCorpus().LexicalQueries().Select(q => SearchBenchClient.SearchBody(q, SearchModes.Lexical, Limit)).ToArray();
        var hybridBodies = SearchCorpus.PlainQueries().Select(q => SearchBenchClient.SearchBody(q, SearchModes.Hybrid, Limit)).ToArray();
        await WarmAsync(client, lexicalBodies, hybridBodies, FirstWarmup);
        var lexical = new LatencySeries();
        var hybrid = new LatencySeries();
        long results = 0;
        for (var i = 0; i < queries; i++)
        {
            results += Results(await lexical.TimeAsync(() => client.SearchAsync(lexicalBodies[i % lexicalBodies.Length])));
            results += Results(await hybrid.TimeAsync(() => client.SearchAsync(hybridBodies[i % hybridBodies.Length])));
        }

        Console.WriteLine();
        Console.WriteLine($"| chunks in one dataset | shards | lexical p50 | lexical p99 | hybrid p50 | hybrid p99 | results per query |");
        Console.WriteLine("|---|---|---|---|---|---|---|");
        Console.WriteLine($"| {indexed:N0} | {shardCount} | {Ms(lexical.P50)} | {Ms(lexical.P99)} | {Ms(hybrid.P50)} | {Ms(hybrid.P99)} | {results / (2.0 * queries):F1} |");
        Console.WriteLine($"done in {clock.Elapsed.TotalMinutes:F1} min");
    }

    private static async Task WarmAsync(SearchBenchClient client, byte[][] lexical, byte[][] hybrid, TimeSpan time)
    {
        var watch = Stopwatch.StartNew();
        for (var i = 0; watch.Elapsed < time || i < lexical.Length; i++)
        {
            await client.SearchAsync(lexical[i % lexical.Length]);
            await client.SearchAsync(hybrid[i % hybrid.Length]);
        }
    }

    private static int Results(byte[] response) =>
        JsonDocument.Parse(response).RootElement.GetProperty("data").GetProperty("results").GetArrayLength();

    private static Task<int> DatasetActivationsAsync(IManagementGrain management) => ActivationsAsync(management, nameof(Ipto.Grains.Datasets.DatasetGrain));

    private static async Task<int> ActivationsAsync(IManagementGrain management, string grainClass)
    {
        var statistics = await management.GetSimpleGrainStatistics();
        var matching = statistics.Where(s => s.GrainType.Split(',')[0].Trim().EndsWith("." + grainClass, StringComparison.Ordinal)).ToArray();
        if (matching.Length == 0 && statistics.Length > 0 && !ReportedTypes)
        {
            ReportedTypes = true;
            Console.WriteLine($"  (no activations of {grainClass}; grain types seen: {string.Join(", ", statistics.Select(s => s.GrainType).Distinct().Take(8))})");
        }

        return matching.Sum(s => s.ActivationCount);
    }

    /// <summary>
    /// Deactivates every shard, empties the local index directory and times the first search after it (every shard
    /// activates again): from the snapshots just taken, or — with the snapshots deleted — rebuilt from chunk files.
    /// </summary>
    private static async Task<(double Seconds, int Documents)> MoveShardsAsync(IGrainFactory grains, IndexShardMap map, string dataDir, IObjectStore store,
        SearchBenchClient client, byte[] query, bool fromSnapshot)
    {
        var shards = map.All();
        if (fromSnapshot) await Task.WhenAll(shards.Select(shard => shard.Snapshot()));
        else
            foreach (var key in await store.ListKeysAsync("search-shards/", 1_000_000)) await store.DeleteAsync(key);
        var management = grains.GetGrain<IManagementGrain>(0);
        // Idle activations (the shards among them) deactivate; poll until no shard is left.
        do await management.ForceActivationCollection(TimeSpan.Zero);
        while (await ActivationsAsync(management, nameof(IndexShardGrain)) > 0);
        Directory.Delete(Path.Combine(dataDir, "index", "shards"), recursive: true);
        var watch = Stopwatch.StartNew();
        await client.SearchAsync(query);
        var seconds = watch.Elapsed.TotalSeconds;
        var documents = (await Task.WhenAll(shards.Select(shard => shard.Count(null)))).Sum();
        Console.WriteLine($"shards {(fromSnapshot ? "restored from snapshots" : "rebuilt from chunk files")}: first search after {seconds:F2} s, {documents:N0} documents");
        return (seconds, documents);
    }

    private static void Report(List<Step> steps, int shardCount, (double Seconds, int Documents) restore, (double Seconds, int Documents) rebuild, int datasets)
    {
        var first = steps[0];
        Console.WriteLine();
        Console.WriteLine($"Search against the number of listed datasets ({AnchorChunks} matching chunks in the first, one non-matching chunk in each other; {shardCount} shards), " +
                          $"limit {Limit}, POST /v1/search over HTTP with an API key:");
        Console.WriteLine();
        Console.WriteLine("| datasets | lexical p50 | lexical p99 | lexical p50 / at 1 | hybrid p50 | hybrid p99 | hybrid p50 / at 1 | results per query | dataset grains active | managed heap | working set |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var s in steps)
        {
            Console.WriteLine($"| {s.Datasets:N0} | {Ms(s.Lexical.P50)} | {Ms(s.Lexical.P99)} | {R(s.Lexical.P50 / first.Lexical.P50)} | {Ms(s.Hybrid.P50)} | {Ms(s.Hybrid.P99)} | " +
                              $"{R(s.Hybrid.P50 / first.Hybrid.P50)} | {s.ResultsPerQuery:F1} | {s.DatasetActivations:N0} | {s.HeapMb:F0} MB | {s.WorkingSetMb:F0} MB |");
        }

        Console.WriteLine();
        Console.WriteLine($"Shards on an empty disk ({datasets:N0} datasets): restored from snapshots, first search after {restore.Seconds:F2} s ({restore.Documents:N0} documents); " +
                          $"rebuilt from chunk files {rebuild.Seconds:F2} s ({rebuild.Documents:N0} documents); rebuild / restore = {R(rebuild.Seconds / restore.Seconds)}");
        if (steps.FirstOrDefault(s => s.Datasets == 1000) is { } thousand)
        {
            var ratio = thousand.Lexical.P50 / first.Lexical.P50;
            Console.WriteLine($"target: lexical p50 at 1,000 datasets <= 1.5 x at {first.Datasets}: {R(ratio)} -> {(ratio <= 1.5 ? "PASS" : "FAIL")}");
        }
    }

    private static string Ms(double value) => value.ToString("F2", CultureInfo.InvariantCulture) + " ms";

    private static string R(double value) => value.ToString("F2", CultureInfo.InvariantCulture);
}
