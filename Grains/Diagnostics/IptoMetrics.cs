using System.Diagnostics.Metrics;

namespace Ipto.Grains.Diagnostics;

/// <summary>
/// The business meter (<c>Ipto</c>): what an operator pages on besides the ASP.NET Core, Orleans, Npgsql and
/// runtime meters. Counted where the fact becomes true: a search when its page is answered, a billable event when
/// its ledger row is committed, a refusal when it is decided.
/// </summary>
public static class IptoMetrics
{
    public const string MeterName = "Ipto";

    private static readonly Meter Meter = new(MeterName);

    private static readonly Counter<long> Searches = Meter.CreateCounter<long>("ipto.searches", "{search}", "Search pages answered, by mode.");
    private static readonly Histogram<int> SearchResults = Meter.CreateHistogram<int>("ipto.search.results", "{result}", "Results per answered search page.");
    private static readonly Counter<long> BillableEvents = Meter.CreateCounter<long>("ipto.billable.events", "{event}", "Access events committed to the ledger, by type.");
    private static readonly Counter<long> BilledMicros = Meter.CreateCounter<long>("ipto.billable.charged_micros", "{micro_usd}", "Micro-USD charged by committed access events, by type.");
    private static readonly Histogram<int> LedgerBatchRows = Meter.CreateHistogram<int>("ipto.ledger.batch.rows", "{row}", "Rows per committed ledger batch.");
    private static readonly Histogram<double> LedgerCommitSeconds = Meter.CreateHistogram<double>("ipto.ledger.commit.duration", "s", "Time to write and commit one ledger batch.");
    private static readonly Counter<long> LedgerFailures = Meter.CreateCounter<long>("ipto.ledger.batch.failures", "{batch}", "Ledger batches that failed (their callers got the error).");
    private static readonly Counter<long> SpendRefusals = Meter.CreateCounter<long>("ipto.spend_limit.refusals", "{request}", "Requests refused because a key's spend limit was reached.");
    private static readonly Counter<long> JobFailures = Meter.CreateCounter<long>("ipto.jobs.failures", "{job}", "Jobs that ended failed, by type.");
    private static readonly Counter<long> WebhookAttempts = Meter.CreateCounter<long>("ipto.webhooks.attempts", "{attempt}", "Webhook delivery attempts, by outcome (delivered, failed).");

    public static void SearchAnswered(string mode, int results)
    {
        var tag = new KeyValuePair<string, object?>("mode", mode);
        Searches.Add(1, tag);
        SearchResults.Record(results, tag);
    }

    public static void AccessEventCommitted(string type, long chargedMicros)
    {
        var tag = new KeyValuePair<string, object?>("type", type);
        BillableEvents.Add(1, tag);
        if (chargedMicros > 0) BilledMicros.Add(chargedMicros, tag);
    }

    public static void LedgerBatchCommitted(int rows, TimeSpan took)
    {
        LedgerBatchRows.Record(rows);
        LedgerCommitSeconds.Record(took.TotalSeconds);
    }

    public static void LedgerBatchFailed() => LedgerFailures.Add(1);

    public static void SpendLimitRefused() => SpendRefusals.Add(1);

    public static void JobFailed(string type) => JobFailures.Add(1, new KeyValuePair<string, object?>("type", type));

    public static void WebhookAttempted(bool delivered) =>
        WebhookAttempts.Add(1, new KeyValuePair<string, object?>("outcome", delivered ? "delivered" : "failed"));
}
