using System.Globalization;

namespace Ipto.Grains.Webhooks;

/// <summary><c>Ipto:Webhooks</c>: where deliveries may go and when failed ones are tried again (SPEC §13).</summary>
public sealed class WebhookOptions
{
    public const string DefaultRetrySchedule = "00:00:05,00:05:00,00:30:00,02:00:00,05:00:00,10:00:00,10:00:00,24:00:00,24:00:00";

    /// <summary>Test deployments only: permits <c>http://</c> URLs and loopback or private targets.</summary>
    public bool AllowInsecureTargets { get; set; }

    /// <summary>Comma-separated waits before the 2nd, 3rd, … attempt; after the last one fails the delivery is <c>failed</c>.</summary>
    public string RetrySchedule { get; set; } = DefaultRetrySchedule;

    public IReadOnlyList<TimeSpan> Retries() => RetrySchedule.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
        .Select(part => TimeSpan.TryParse(part, CultureInfo.InvariantCulture, out var wait) && wait >= TimeSpan.Zero
            ? wait
            : throw new InvalidOperationException($"Ipto:Webhooks:RetrySchedule must list non-negative TimeSpans (hh:mm:ss); '{part}' is not one."))
        .ToArray();

    public void Validate() => _ = Retries();
}
