using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Ipto.Common;
using Ipto.Grains.ObjectStore;
using Ipto.Grains.Search;
using Ipto.Objects;
using Ipto.Search;
using Ipto.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Orleans;

/// <summary>
/// Search latency: the embedded Api on a real socket against the same index queried in-process ("raw"), side by side.
/// One listed dataset of a provider is made active through the real flow (upload, normalization, review, indexing),
/// then filled to N chunks by writing chunk and vector files and indexing them through the (single) search shard; a
/// buyer's API key runs the query set over HTTP in each mode, interleaved with the same queries against the index
/// opened read-only with Lucene. Usage: dotnet run -c Release --project tests/bench/Ipto.Bench -- search [chunks=50000] [queries=1000]
/// (<c>queries</c>: timed queries per mode and side).
/// </summary>
internal static class SearchBench
{
    private const int ChunksPerObject = 100;
    private const int EmbedBatch = 32;
    private const int VectorPool = 3000;
    private const int Limit = 10;
    private const int Workers = 8;
    private const int MinWarmupPasses = 3;
    // Long enough for tiered JIT (and dynamic PGO) to finish promoting the hot paths of both sides: measured before
    // that, both series are several times slower and the ratio is noise.
    private static readonly TimeSpan WarmupTime = TimeSpan.FromSeconds(15);
    private const int StageRounds = 3;
    // The highest per-key rate the Api accepts (ApiKeyRules.MaxRatePerSecond): 429s must not shape the figures.
    private const double KeyRatePerSecond = 10_000;
    private static readonly TimeSpan EmbeddingBudget = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan ObjectWait = TimeSpan.FromMinutes(3);
    private static readonly string[] Modes = [SearchModes.Lexical, SearchModes.Dense, SearchModes.Hybrid];

    public static async Task RunAsync(string[] args)
    {
        var chunks = Option(args, "chunks", 0, 50_000);
        var queries = Option(args, "queries", 1, 1_000);
        await WithKestrelApiAsync(1, (api, dataDir) => RunAsync(api, dataDir, chunks, queries));
    }

    /// <summary>Runs <paramref name="bench"/> against an embedded Api on Kestrel with a fresh data directory, removed afterwards.</summary>
    internal static async Task WithKestrelApiAsync(int shards, Func<KestrelApi, string, Task> bench)
    {
        var dataDir = Directory.CreateTempSubdirectory("ipto-bench-").FullName;
        Environment.SetEnvironmentVariable("ASPNETCORE_TEST_CONTENTROOT_IPTO_API", AppContext.BaseDirectory);
        var api = new KestrelApi(dataDir, FreePort(), shards);
        try
        {
            await bench(api, dataDir);
        }
        finally
        {
            await api.DisposeAsync();
            try
            {
                Directory.Delete(dataDir, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private static async Task RunAsync(KestrelApi api, string dataDir, int chunks, int queries)
    {
        var clock = Stopwatch.StartNew();
        api.StartServer();
        if (api.ClientOptions.BaseAddress?.Port != api.BaseAddress.Port)
            throw new InvalidOperationException($"Kestrel listens on {api.ClientOptions.BaseAddress}, not on {api.BaseAddress}.");
        Console.WriteLine($"search bench {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm}Z: {Environment.ProcessorCount} cores, {chunks:N0} chunks, " +
                          $"{queries:N0} timed queries per mode and side; Api on {api.BaseAddress} (Kestrel)");
        using var client = new SearchBenchClient(api.BaseAddress);

        // 1. A provider's listed dataset, made active by the real flow.
        var provider = await SignupAsync(client, "provider", "Bench Provider");
        var datasetId = (await client.CallAsync(HttpMethod.Post, "/v1/datasets", new { name = "Bench corpus", visibility = "listed" }, provider.SessionToken,
            HttpStatusCode.Created)).GetProperty("dataset_id").GetString()!;
        var realChunks = await ActivateThroughRealFlowAsync(client, provider.SessionToken, datasetId);
        var dataset = await client.CallAsync(HttpMethod.Get, $"/v1/datasets/{datasetId}", null, provider.SessionToken);
        if (dataset.GetProperty("status").GetString() != "active")
            throw new InvalidOperationException($"The dataset is {dataset.GetProperty("status").GetString()}, not active, after its first object.");
        Console.WriteLine($"real flow: upload -> normalization -> approval -> indexing made {datasetId} active with {realChunks} chunks ({clock.Elapsed.TotalSeconds:F0} s)");

        // 2. The bulk of the corpus, straight into the object store and the search shard.
        var services = api.Services;
        var embedder = services.GetRequiredService<ITextEmbedder>();
        var index = services.GetRequiredService<IndexShardMap>().All().Single();
        await BulkLoadAsync(services, embedder, index, datasetId, provider.TenantId, Math.Max(0, chunks - realChunks));
        var indexed = await index.Count(null);
        Console.WriteLine($"index holds {indexed:N0} chunks ({clock.Elapsed.TotalSeconds:F0} s since start)");

        // 3. A buyer with an API key that may search.
        var buyer = await SignupAsync(client, "buyer", "Bench Buyer");
        var key = await client.CallAsync(HttpMethod.Post, "/v1/api-keys",
            new { name = "search bench", scopes = new[] { "search:query" }, rate_limit_per_second = KeyRatePerSecond }, buyer.SessionToken, HttpStatusCode.Created);
        client.ApiKey = key.GetProperty("key").GetString();
        var keyId = key.GetProperty("api_key_id").GetString()!;

        // 4. The baseline: the same index, read-only, in this process.
        using var raw = new RawSearch(Path.Combine(dataDir, "index", "shards", "0"), embedder);
        Console.WriteLine($"raw reader: {raw.Documents:N0} documents in {raw.Segments} segments ({raw.DirectoryKind})");
        if (raw.Documents != indexed) throw new InvalidOperationException($"The raw reader sees {raw.Documents} documents, the grain {indexed}.");
        await ReportPrefixCapAsync(client, raw, "par");

        var lexicalQueries = new SearchCorpus().LexicalQueries();
        var plainQueries = SearchCorpus.PlainQueries();
        var results = new List<ModeResult>();
        foreach (var mode in Modes)
        {
            var set = mode == SearchModes.Lexical ? lexicalQueries : plainQueries;
            results.Add(await MeasureModeAsync(client, raw, mode, set, queries));
        }

        var lexicalBodies = lexicalQueries.Select(q => SearchBenchClient.SearchBody(q, SearchModes.Lexical, Limit)).ToArray();
        var total = Math.Max(queries, Workers * 50);
        await Concurrent.ThroughputAsync(Workers * 20, Workers, i => client.SearchAsync(lexicalBodies[i % lexicalBodies.Length]));
        var apiConcurrent = await Concurrent.ThroughputAsync(total, Workers, i => client.SearchAsync(lexicalBodies[i % lexicalBodies.Length]));
        var rawConcurrent = Concurrent.Throughput(total, Workers, i => raw.Lexical(lexicalQueries[i % lexicalQueries.Count], Limit));

        Report(results, total, apiConcurrent, rawConcurrent, indexed, lexicalQueries.Count, plainQueries.Count);

        // 5. Where the time goes.
        var lexical = results[0];
        await new SearchStages(services, client, raw, datasetId, provider.TenantId, buyer.TenantId, keyId)
            .RunAsync(lexicalQueries, StageRounds, lexical.Api.P50, lexical.Raw.P50);
        Console.WriteLine();
        Console.WriteLine($"done in {clock.Elapsed.TotalMinutes:F1} min");
    }

    private sealed record ModeResult(string Mode, int QuerySetSize, int Rounds, LatencySeries Api, LatencySeries Raw);

    internal static Task<Account> SignupAsync(SearchBenchClient client, string tag, string tenant) =>
        client.Http.SignupAsync(Accounts.NewEmail(tag), tenant, displayName: tenant);

    /// <summary>Uploads a small text document through its presigned URL, waits for ready, approves it as the platform admin, waits for active.</summary>
    private static async Task<int> ActivateThroughRealFlowAsync(SearchBenchClient client, string token, string datasetId)
    {
        var intro = new SearchCorpus(SearchCorpus.Seed + 1);
        var bytes = Encoding.UTF8.GetBytes(string.Join("\n\n", Enumerable.Range(0, 12).Select(_ => intro.NextChunk())));
        using var owner = client.WithBearer(token);
        var objectId = (await owner.UploadAsync(client.Http, datasetId, "bench-intro.txt", "text/plain", bytes)).ObjectId;
        await owner.WaitForStatusAsync(objectId, ObjectStatuses.Ready, ObjectWait);

        var admin = await (await client.Http.LoginAsync(KestrelApi.AdminEmail, KestrelApi.AdminPassword)).DataAsync();
        using (var reviewer = client.WithBearer(admin.GetProperty("session_token").GetString()!))
            await reviewer.ApproveAsync(objectId);
        var active = await owner.WaitForStatusAsync(objectId, ObjectStatuses.Active, ObjectWait);
        return active.GetProperty("extraction").GetProperty("chunks").GetInt32();
    }

    /// <summary>
    /// Writes chunk and vector files for synthetic objects of 100 chunks and indexes each through the search shard.
    /// Embeddings are real (MiniLM); when embedding every chunk would take longer than the budget, a pool of distinct
    /// texts (the first chunks) is embedded and its vectors reused round-robin: a brute-force scan costs the same
    /// whatever the values.
    /// </summary>
    private static async Task BulkLoadAsync(IServiceProvider services, ITextEmbedder embedder, IIndexShardGrain index, string datasetId, string tenantId, int count)
    {
        if (count == 0) return;
        var store = services.GetRequiredService<IObjectStore>();
        var corpus = new SearchCorpus();
        var texts = new string[count];
        for (var i = 0; i < count; i++) texts[i] = corpus.NextChunk();
        Console.WriteLine($"corpus: {count:N0} synthetic chunks, {texts.Average(t => t.Length):F0} chars on average, vocabulary of {corpus.VocabularySize:N0} words");

        var probe = texts.Take(Math.Min(count, 4 * EmbedBatch)).ToArray();
        embedder.Embed(probe.Take(2).ToArray()); // loads the model
        var watch = Stopwatch.StartNew();
        foreach (var batch in probe.Chunk(EmbedBatch)) embedder.Embed(batch);
        var rate = probe.Length / watch.Elapsed.TotalSeconds;
        var estimate = TimeSpan.FromSeconds(count / rate);
        var pool = estimate <= EmbeddingBudget ? count : Math.Min(count, VectorPool);
        Console.WriteLine(pool == count
            ? $"embedding: MiniLM runs {rate:F0} texts/s here; all {count:N0} chunks take ~{estimate.TotalMinutes:F1} min, so every chunk gets its own vector"
            : $"embedding: MiniLM runs {rate:F0} texts/s here; all {count:N0} chunks would take ~{estimate.TotalMinutes:F1} min, so the first {pool:N0} " +
              $"texts are embedded and their vectors reused round-robin by the other chunks (a brute-force scan costs the same)");

        watch.Restart();
        var vectors = new float[pool][];
        var done = 0;
        foreach (var batch in texts.Take(pool).Chunk(EmbedBatch))
        {
            embedder.Embed(batch).CopyTo(vectors, done);
            done += batch.Length;
        }

        Console.WriteLine($"embedded {pool:N0} texts in {watch.Elapsed.TotalSeconds:F0} s");

        watch.Restart();
        var objects = (count + ChunksPerObject - 1) / ChunksPerObject;
        for (var o = 0; o < objects; o++)
        {
            var first = o * ChunksPerObject;
            var size = Math.Min(ChunksPerObject, count - first);
            var objectId = Ids.New(IdPrefixes.Object);
            using var chunkFile = new MemoryStream();
            using (var writer = new StreamWriter(chunkFile, new UTF8Encoding(false), leaveOpen: true))
            {
                long at = 0;
                for (var j = 0; j < size; j++)
                {
                    var text = texts[first + j];
                    await writer.WriteLineAsync(JsonSerializer.Serialize(new
                    {
                        chunk_index = j, text, locator = new { page = (int?)null, row = (long?)null, char_start = at, char_end = at + text.Length, chunk_index = j },
                    }));
                    at += text.Length + 2;
                }
            }

            using var vectorFile = new MemoryStream();
            await using (var writer = await VectorFile.OpenWriterAsync(vectorFile, embedder.Dimensions))
            {
                for (var j = 0; j < size; j++) await writer.AppendAsync(vectors[(first + j) % pool]);
            }

            var textChars = texts.Skip(first).Take(size).Sum(t => (long)t.Length);
            chunkFile.Position = 0;
            vectorFile.Position = 0;
            await store.WriteAsync(ObjectKeys.ObjectChunks(datasetId, objectId), chunkFile, "application/x-ndjson");
            await store.WriteAsync(ObjectKeys.ObjectVectors(datasetId, objectId), vectorFile, "application/octet-stream");
            var now = DateTimeOffset.UtcNow;
            var snapshot = new ObjectSnapshot(objectId, datasetId, tenantId, $"bench-{o:D4}.txt", "text/plain", textChars, null, ObjectStatuses.Active,
                ReviewStates.Approved, null, now, null, new Extraction(textChars, null, size, "en", null), now, now, now, null);
            var added = await index.IndexObject(snapshot);
            if (added != size) throw new InvalidOperationException($"The index took {added} chunks of {objectId}, not {size}.");
            if ((o + 1) % 100 == 0 || o + 1 == objects)
                Console.WriteLine($"  indexed {o + 1}/{objects} objects ({first + size:N0} chunks) in {watch.Elapsed.TotalSeconds:F0} s");
        }
    }

    /// <summary>
    /// The wildcard guardrail counts a prefix's terms in every segment and adds them up, so whether a prefix is refused
    /// depends on how many segments the index has at the time, not only on the vocabulary; shown here for one prefix.
    /// </summary>
    private static async Task ReportPrefixCapAsync(SearchBenchClient client, RawSearch raw, string prefix)
    {
        var (distinct, summed) = raw.PrefixTerms(prefix);
        var (status, _) = await client.SearchWithStatusAsync(SearchBenchClient.SearchBody(prefix + "*", SearchModes.Lexical, Limit));
        Console.WriteLine($"note: '{prefix}*' matches {distinct} distinct indexed terms, {summed} summed over the {raw.Segments} segments " +
                          $"(the guardrail's count, cap {LexicalQuery.MaxExpansions}); POST /v1/search answers {(int)status} for it");
    }

    /// <summary>
    /// The score of the raw side's best result in the Api's terms: BM25 or cosine, or for hybrid the reciprocal-rank
    /// fusion of lists as deep as the Api's (its fused ranking depends on the depth of the lists it fuses).
    /// </summary>
    private static double RawTopScore(RawSearch raw, string mode, string query)
    {
        if (mode != SearchModes.Hybrid) return raw.Run(mode, query, Limit)[0].Score;
        var depth = SearchCoordinatorGrain.Depth(Limit);
        return ResultFusion.Fuse(raw.Lexical(query, depth).Select(RawSearch.ToMatch).ToArray(), raw.Dense(query, depth).Select(RawSearch.ToMatch).ToArray())[0].Score;
    }

    /// <summary>Warm-up (with a sanity check against the raw results), then timed rounds alternating which side goes first.</summary>
    private static async Task<ModeResult> MeasureModeAsync(SearchBenchClient client, RawSearch raw, string mode, IReadOnlyList<string> set, int queries)
    {
        var bodies = set.Select(q => SearchBenchClient.SearchBody(q, mode, Limit)).ToArray();
        int withResults = 0, sameTop = 0, apiResults = 0, passes = 0;
        var warmup = Stopwatch.StartNew();
        for (var pass = 0; pass < MinWarmupPasses || warmup.Elapsed < WarmupTime; pass++, passes++)
        {
            for (var i = 0; i < set.Count; i++)
            {
                var response = await client.SearchAsync(bodies[i]);
                var rawHits = raw.Run(mode, set[i], Limit);
                if (pass > 0) continue;
                var hits = JsonDocument.Parse(response).RootElement.GetProperty("data").GetProperty("results");
                apiResults += hits.GetArrayLength();
                if (hits.GetArrayLength() == 0) continue;
                withResults++;
                var top = hits[0].GetProperty("score").GetDouble();
                if (rawHits.Count > 0 && Math.Abs(top - RawTopScore(raw, mode, set[i])) <= 1e-4 * Math.Max(1, Math.Abs(top))) sameTop++;
            }
        }

        Console.WriteLine($"{mode}: {set.Count} queries, {withResults} with results ({apiResults / (double)set.Count:F1} per query), " +
                          $"same top score over HTTP and raw for {sameTop}; warm-up {passes} passes in {warmup.Elapsed.TotalSeconds:F0} s");

        var api = new LatencySeries();
        var baseline = new LatencySeries();
        var rounds = (queries + set.Count - 1) / set.Count;
        for (var round = 0; round < rounds; round++)
        {
            for (var i = 0; i < set.Count; i++)
            {
                if ((round + i) % 2 == 0)
                {
                    await api.TimeAsync(() => client.SearchAsync(bodies[i]));
                    baseline.Time(() => raw.Run(mode, set[i], Limit));
                }
                else
                {
                    baseline.Time(() => raw.Run(mode, set[i], Limit));
                    await api.TimeAsync(() => client.SearchAsync(bodies[i]));
                }
            }
        }

        return new ModeResult(mode, set.Count, rounds, api, baseline);
    }

    private static void Report(List<ModeResult> results, int concurrentTotal, double apiConcurrent, double rawConcurrent, int chunks, int lexicalSet, int plainSet)
    {
        Console.WriteLine();
        Console.WriteLine($"Search latency, {chunks:N0} chunks in one dataset, limit {Limit}; lexical set of {lexicalSet} queries, dense/hybrid set of {plainSet} " +
                          "plain-word queries; HTTP = POST /v1/search on Kestrel with an API key, raw = in-process Lucene/vector scan of the same index:");
        Console.WriteLine();
        Console.WriteLine("| mode | timed queries (per side) | HTTP p50 | raw p50 | p50 HTTP/raw | HTTP p99 | raw p99 | p99 HTTP/raw | HTTP q/s | raw q/s | q/s HTTP/raw |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var r in results)
        {
            Console.WriteLine($"| {r.Mode}, sequential | {r.Api.Count:N0} | {Ms(r.Api.P50)} | {Ms(r.Raw.P50)} | {R(r.Api.P50 / r.Raw.P50)} | {Ms(r.Api.P99)} | " +
                              $"{Ms(r.Raw.P99)} | {R(r.Api.P99 / r.Raw.P99)} | {Q(r.Api.Throughput)} | {Q(r.Raw.Throughput)} | {R(r.Api.Throughput / r.Raw.Throughput)} |");
        }

        Console.WriteLine($"| lexical, {Workers} concurrent clients | {concurrentTotal:N0} | | | | | | | {Q(apiConcurrent)} | {Q(rawConcurrent)} | {R(apiConcurrent / rawConcurrent)} |");

        var lexical = results.Single(r => r.Mode == SearchModes.Lexical);
        var bound = 2 + 1.5 * lexical.Raw.P50;
        Console.WriteLine();
        Console.WriteLine($"target: lexical p50 over HTTP <= 2 ms + 1.5 x raw p50 = 2 + 1.5 x {Ms(lexical.Raw.P50)} = {Ms(bound)}; measured {Ms(lexical.Api.P50)} -> " +
                          (lexical.Api.P50 <= bound ? "PASS" : $"FAIL (over by {Ms(lexical.Api.P50 - bound)})"));
    }

    private static string Ms(double value) => value.ToString("F2", CultureInfo.InvariantCulture) + " ms";

    private static string R(double value) => value.ToString("F2", CultureInfo.InvariantCulture);

    private static string Q(double value) => value.ToString("F0", CultureInfo.InvariantCulture);

    /// <summary>Reads <c>name=value</c>, or else the positional argument at <paramref name="position"/>.</summary>
    internal static int Option(string[] args, string name, int position, int fallback)
    {
        foreach (var arg in args)
            if (arg.StartsWith(name + "=", StringComparison.Ordinal)) return int.Parse(arg[(name.Length + 1)..], CultureInfo.InvariantCulture);
        var positional = args.Where(a => !a.Contains('=', StringComparison.Ordinal)).ToArray();
        return position < positional.Length ? int.Parse(positional[position], CultureInfo.InvariantCulture) : fallback;
    }

    internal static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>The embedded Api (co-hosted silo, SQLite, local store) on Kestrel at 127.0.0.1, with a bootstrap platform admin.</summary>
    internal sealed class KestrelApi : WebApplicationFactory<Program>
    {
        public const string AdminEmail = "root@bench.example";
        public const string AdminPassword = "bootstrap-admin-password";

        private readonly string _dataDir;
        private readonly int _shards;
        private readonly IReadOnlyDictionary<string, string> _settings;

        public KestrelApi(string dataDir, int port, int shards = 1, IReadOnlyDictionary<string, string>? settings = null)
        {
            _dataDir = dataDir;
            _shards = shards;
            _settings = settings ?? new Dictionary<string, string>();
            BaseAddress = new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}/");
            UseKestrel();
        }

        public Uri BaseAddress { get; }

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);
            builder.UseSetting("urls", BaseAddress.ToString().TrimEnd('/'));
            builder.UseEnvironment("Production"); // as deployed: no developer exception page on the measured path
            builder.UseSetting("Ipto:Mode", "embedded");
            builder.UseSetting("Ipto:Api:Role", "cohosted");
            builder.UseSetting("Ipto:ObjectStore:Provider", "local");
            builder.UseSetting("Ipto:ObjectStore:PublicBaseUrl", BaseAddress.ToString());
            builder.UseSetting("Ipto:DataDir", _dataDir);
            builder.UseSetting("Ipto:Cluster:SiloPort", Invariant(FreePort()));
            builder.UseSetting("Ipto:Cluster:GatewayPort", Invariant(FreePort()));
            builder.UseSetting("Ipto:Bootstrap:AdminEmail", AdminEmail);
            builder.UseSetting("Ipto:Bootstrap:AdminPassword", AdminPassword);
            // Setup only: logins are not on the measured path, and the bench signs up from one address.
            builder.UseSetting("Ipto:Identity:PasswordIterations", "1000");
            builder.UseSetting("Ipto:RateLimits:AuthPerIpPerMinute", "100000");
            builder.UseSetting("Logging:LogLevel:Default", "Warning");
            // The search bench runs one shard: its raw side opens that one Lucene directory, so both sides search the same index.
            builder.UseSetting("Ipto:Search:Shards", Invariant(_shards));
            foreach (var (key, value) in _settings) builder.UseSetting(key, value);
        }
    }
}
