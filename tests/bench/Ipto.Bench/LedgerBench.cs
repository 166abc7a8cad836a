using System.Diagnostics;
using System.Globalization;
using Ipto.Common;
using Ipto.Grains.Analytics;
using Ipto.Grains.Hosting;
using Ipto.Grains.Metering;
using Ipto.Grains.Storage;
using Ipto.Metering;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using NpgsqlTypes;

/// <summary>
/// Ledger throughput on PostgreSQL, side by side in one run on a scratch database: durable billable events per second
/// through the group-commit <see cref="LedgerWriter"/> with many concurrent writers (each awaiting its commit, as a
/// request does), against raw binary COPY of rows of the same shape.
/// Usage: <c>Ipto__Postgres__ConnectionString=… dotnet run -c Release --project tests/bench/Ipto.Bench -- ledger [events=200000] [writers=64] [ledger=1000000] [keep=true]</c>
/// (<c>keep=true</c> leaves the scratch database for EXPLAIN).
/// </summary>
internal static class LedgerBench
{
    public static async Task RunAsync(string[] args)
    {
        var settings = args.Select(a => a.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1]);
        var events = int.Parse(settings.GetValueOrDefault("events", "200000"), CultureInfo.InvariantCulture);
        var writers = int.Parse(settings.GetValueOrDefault("writers", "64"), CultureInfo.InvariantCulture);
        var admin = Environment.GetEnvironmentVariable("Ipto__Postgres__ConnectionString")
                    ?? throw new InvalidOperationException("Set Ipto__Postgres__ConnectionString (eval \"$(deploy/local/up.sh)\").");

        var name = "ipto_ledger_bench_" + Guid.NewGuid().ToString("N")[..8];
        await ExecuteAsync(admin, $"CREATE DATABASE {name}");
        var connectionString = new NpgsqlConnectionStringBuilder(admin) { Database = name }.ConnectionString;
        try
        {
            await using var database = AppDatabase.Create(new IptoOptions { Mode = "cluster", Postgres = { ConnectionString = connectionString } });
            await new SchemaMigrator(database, NullLogger<SchemaMigrator>.Instance).MigrateAsync(CancellationToken.None);

            var viaWriter = await WriterAsync(database, events, writers);
            var viaCopy = await CopyAsync(connectionString, events);
            await ReadsAsync(database, connectionString, int.Parse(settings.GetValueOrDefault("ledger", "1000000"), CultureInfo.InvariantCulture));
            Console.WriteLine($"ledger writer: {events} events, {writers} writers: {viaWriter:F0} events/s ({viaWriter / viaCopy:F2}x COPY)");
            Console.WriteLine($"binary COPY:   {events} events: {viaCopy:F0} events/s");
            Console.WriteLine($"target: >= 20000 events/s and >= 0.5x COPY: {(viaWriter >= 20_000 && viaWriter >= 0.5 * viaCopy ? "PASS" : "FAIL")}");
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            if (settings.GetValueOrDefault("keep") == "true") Console.WriteLine($"kept the scratch database {name}");
            else await ExecuteAsync(admin, $"DROP DATABASE IF EXISTS {name} WITH (FORCE)");
        }
    }

    private static AccessEventRow Event(string tenant, int i, DateTimeOffset at) =>
        new(Ids.New(IdPrefixes.Access, at), "download", tenant, "tnt_writes_provider", "dset_" + (i % 100), "obj_" + i, "key_" + (i % 64), null, 100_000, at)
        {
            PrincipalId = "key_" + (i % 64),
        };

    private static async Task<double> WriterAsync(AppDatabase database, int events, int writers)
    {
        var writer = new LedgerWriter(database, NullLogger<LedgerWriter>.Instance);
        await writer.StartAsync(CancellationToken.None);
        var next = -1;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, writers).Select(_ => Task.Run(async () =>
        {
            for (var i = Interlocked.Increment(ref next); i < events; i = Interlocked.Increment(ref next))
                await writer.AppendAsync(Event("tnt_writer", i, DateTimeOffset.UtcNow));
        })));
        var seconds = clock.Elapsed.TotalSeconds;
        await writer.StopAsync(CancellationToken.None);
        Console.WriteLine($"ledger writer: {writer.BatchesCommitted} batches, {events / (double)writer.BatchesCommitted:F1} events per batch");
        return events / seconds;
    }

    /// <summary>
    /// <c>GET /v1/agent/spend</c>'s read (30 days, by dataset) and <c>GET /v1/provider/analytics</c>' read (30 days) over a
    /// ledger of <paramref name="ledgerEvents"/> events of one buyer and one provider, p50 of 21 runs each, against the raw
    /// SQL aggregate of the same rows.
    /// </summary>
    private static async Task ReadsAsync(AppDatabase database, string connectionString, int ledgerEvents)
    {
        var now = DateTimeOffset.UtcNow;
        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync();
            // Searches of five results each (a citation in every tenth place instead), every result on another dataset.
            string[] queries = ["cargo manifests rotterdam", "marine insurance claims", "port congestion AND delays", "filename:lading bills", "shipping rulings hamburg"];
            DateTimeOffset At(int i) => now.AddSeconds(-(i * (30.0 * 86_400) / ledgerEvents)); // evenly over 30 days
            await using (var import = await connection.BeginBinaryImportAsync(
                             "COPY access_events (access_id, type, tenant_id, provider_tenant_id, dataset_id, object_id, api_key_id, charged_micros, occurred_at, principal_id, "
                             + "search_activity_id, rank, first_of_dataset, first_of_provider) FROM STDIN (FORMAT BINARY)"))
            {
                for (var i = 0; i < ledgerEvents; i++)
                {
                    var retrieval = i % 10 != 0;
                    await import.StartRowAsync();
                    await import.WriteAsync($"ret_spend_{i:D9}", NpgsqlDbType.Text);
                    await import.WriteAsync(retrieval ? "retrieval" : "citation", NpgsqlDbType.Text);
                    await import.WriteAsync("tnt_spender", NpgsqlDbType.Text);
                    await import.WriteAsync("tnt_provider", NpgsqlDbType.Text);
                    await import.WriteAsync("dset_" + (i % 100), NpgsqlDbType.Text);
                    await import.WriteAsync("obj_" + (i % 5000), NpgsqlDbType.Text);
                    await import.WriteAsync("key_" + (i % 8), NpgsqlDbType.Text);
                    await import.WriteAsync(30_000L, NpgsqlDbType.Bigint);
                    await import.WriteAsync(At(i).UtcDateTime, NpgsqlDbType.TimestampTz);
                    await import.WriteAsync("key_" + (i % 8), NpgsqlDbType.Text);
                    if (retrieval)
                    {
                        await import.WriteAsync($"sa_spend_{i / 5:D9}", NpgsqlDbType.Text);
                        await import.WriteAsync(i % 5 + 1, NpgsqlDbType.Integer);
                        await import.WriteAsync(1, NpgsqlDbType.Integer);
                        await import.WriteAsync(i % 5 == 0 || (i % 5 == 1 && (i - 1) % 10 == 0) ? 1 : 0, NpgsqlDbType.Integer); // the search's first retrieval
                    }
                    else
                    {
                        for (var c = 0; c < 4; c++) await import.WriteNullAsync();
                    }
                }

                await import.CompleteAsync();
            }

            await using (var import = await connection.BeginBinaryImportAsync(
                             "COPY search_activities (search_activity_id, tenant_id, api_key_id, principal_id, query_text, dataset_ids, result_count, charged_micros, occurred_at) "
                             + "FROM STDIN (FORMAT BINARY)"))
            {
                for (var search = 0; search * 5 < ledgerEvents; search++)
                {
                    await import.StartRowAsync();
                    await import.WriteAsync($"sa_spend_{search:D9}", NpgsqlDbType.Text);
                    await import.WriteAsync("tnt_spender", NpgsqlDbType.Text);
                    await import.WriteAsync("key_1", NpgsqlDbType.Text);
                    await import.WriteAsync("key_1", NpgsqlDbType.Text);
                    await import.WriteAsync(queries[search % queries.Length], NpgsqlDbType.Text);
                    await import.WriteAsync("[]", NpgsqlDbType.Text);
                    await import.WriteAsync(5, NpgsqlDbType.Integer);
                    await import.WriteAsync(150_000L, NpgsqlDbType.Bigint);
                    await import.WriteAsync(At(search * 5).UtcDateTime, NpgsqlDbType.TimestampTz);
                }

                await import.CompleteAsync();
            }
        }

        var rebuild = Stopwatch.StartNew();
        await new LedgerRollups(database).RebuildAsync(); // the rows went in by raw COPY, past the writer
        Console.WriteLine($"spend and provider rollups rebuilt from {ledgerEvents} events in {rebuild.Elapsed.TotalSeconds:F1} s");
        await ExecuteAsync(connectionString, "ANALYZE search_activities");
        await ExecuteAsync(connectionString, "ANALYZE provider_daily");
        await ExecuteAsync(connectionString, "ANALYZE provider_keywords_daily");
        await ExecuteAsync(connectionString, "ANALYZE access_events");
        await ExecuteAsync(connectionString, "ANALYZE spend_daily");
        var reader = new SpendReader(database);
        var from = now.AddDays(-30);
        var viaReader = await P50Async(async () => (await reader.GroupsAsync("tnt_spender", SpendGroupings.Dataset, from, now.AddSeconds(1))).Count);
        var viaSql = await P50Async(() => RawGroupsAsync(connectionString,
            "SELECT dataset_id, type, sum(charged_micros), count(*) FROM access_events WHERE tenant_id = @owner AND occurred_at >= @from AND occurred_at < @to GROUP BY dataset_id, type",
            "tnt_spender", from, now.AddSeconds(1)));
        Console.WriteLine($"spend (30 days, by dataset) over {ledgerEvents} events: reader p50 {viaReader:F1} ms, raw SQL aggregate p50 {viaSql:F1} ms ({viaReader / viaSql:F2}x)");

        var analytics = new ProviderAnalyticsReader(database);
        var viaAnalytics = await P50Async(async () => (await analytics.ReadAsync("tnt_provider", null, from, now.AddSeconds(1), 0.2m)).Daily.Count);
        var viaAnalyticsSql = await P50Async(() => RawGroupsAsync(connectionString,
            "SELECT to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD'), dataset_id, type, count(*), sum(charged_micros), sum(rank), count(DISTINCT tenant_id) "
            + "FROM access_events WHERE provider_tenant_id = @owner AND occurred_at >= @from AND occurred_at < @to GROUP BY 1, 2, 3",
            "tnt_provider", from, now.AddSeconds(1)));
        Console.WriteLine($"provider analytics (30 days) over {ledgerEvents} events: reader p50 {viaAnalytics:F1} ms (keywords included), "
                          + $"raw SQL aggregate p50 {viaAnalyticsSql:F1} ms (no keywords) ({viaAnalytics / viaAnalyticsSql:F2}x)");
    }

    /// <summary>The rows of a raw aggregate over one owner's events in [from, to).</summary>
    private static async Task<int> RawGroupsAsync(string connectionString, string sql, string owner, DateTimeOffset from, DateTimeOffset to)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue("owner", owner);
        command.Parameters.AddWithValue("from", from.UtcDateTime);
        command.Parameters.AddWithValue("to", to.UtcDateTime);
        var groups = 0;
        await using var rows = await command.ExecuteReaderAsync();
        while (await rows.ReadAsync()) groups++;
        return groups;
    }

    private static async Task<double> P50Async(Func<Task<int>> run)
    {
        await run(); // warm
        var times = new List<double>();
        for (var i = 0; i < 21; i++)
        {
            var clock = Stopwatch.StartNew();
            await run();
            times.Add(clock.Elapsed.TotalMilliseconds);
        }

        return times.Order().ElementAt(times.Count / 2);
    }

    private static async Task<double> CopyAsync(string connectionString, int events)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        var now = DateTimeOffset.UtcNow;
        var rows = Enumerable.Range(0, events).Select(i => Event("tnt_copy", i, now)).ToArray();
        var clock = Stopwatch.StartNew();
        await using (var import = await connection.BeginBinaryImportAsync(
                         "COPY access_events (access_id, type, tenant_id, provider_tenant_id, dataset_id, object_id, api_key_id, charged_micros, occurred_at, principal_id) FROM STDIN (FORMAT BINARY)"))
        {
            foreach (var row in rows)
            {
                await import.StartRowAsync();
                await import.WriteAsync(row.AccessId, NpgsqlDbType.Text);
                await import.WriteAsync(row.Type, NpgsqlDbType.Text);
                await import.WriteAsync(row.TenantId, NpgsqlDbType.Text);
                await import.WriteAsync(row.ProviderTenantId, NpgsqlDbType.Text);
                await import.WriteAsync(row.DatasetId, NpgsqlDbType.Text);
                await import.WriteAsync(row.ObjectId!, NpgsqlDbType.Text);
                await import.WriteAsync(row.ApiKeyId!, NpgsqlDbType.Text);
                await import.WriteAsync(row.ChargedMicros, NpgsqlDbType.Bigint);
                await import.WriteAsync(row.OccurredAt.UtcDateTime, NpgsqlDbType.TimestampTz);
                await import.WriteAsync(row.PrincipalId!, NpgsqlDbType.Text);
            }

            await import.CompleteAsync();
        }

        return events / clock.Elapsed.TotalSeconds;
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
