using Ipto.Common;

namespace Ipto.Grains.Payouts;

/// <summary>
/// The platform fee (SPEC §13): round-half-even(gross × rate) to the micro-dollar, and earnings = gross − fee exactly.
/// Analytics and payout statements both compute it per dataset and sum the per-dataset figures.
/// </summary>
public static class PlatformFee
{
    public static long Of(long grossMicros, decimal rate)
    {
        if (grossMicros < 0) throw new ArgumentOutOfRangeException(nameof(grossMicros), "gross must not be negative");
        if (rate is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(rate), "the fee rate is a fraction from 0 to 1");
        // gross ≤ long.MaxValue < 2^63 and rate ≤ 1 with at most 28 significant digits: the product fits a decimal exactly
        // up to its 28-29 digit precision, which is far beyond micro-dollars of any capped amount.
        return (long)Math.Round(grossMicros * rate, MidpointRounding.ToEven);
    }

    public static long EarningsOf(long grossMicros, decimal rate) => checked(grossMicros - Of(grossMicros, rate));
}

/// <summary>
/// Settlement periods (SPEC §13): UTC calendar months, or (for test deployments) periods of a fixed length aligned to
/// the Unix epoch. An event belongs to the period holding its <c>occurred_at</c>; a period is [start, end).
/// </summary>
public sealed class PayoutPeriods
{
    public const string Month = "month";

    private readonly TimeSpan? fixedLength;

    private PayoutPeriods(TimeSpan? fixedLength) => this.fixedLength = fixedLength;

    /// <summary>The months, or the periods of a fixed length; the setting is <c>month</c> or a positive TimeSpan.</summary>
    public static PayoutPeriods Parse(string setting)
    {
        if (string.Equals(setting, Month, StringComparison.OrdinalIgnoreCase)) return new PayoutPeriods(null);
        if (TimeSpan.TryParse(setting, System.Globalization.CultureInfo.InvariantCulture, out var length) && length >= TimeSpan.FromSeconds(1))
            return new PayoutPeriods(length);
        throw new InvalidOperationException($"Ipto:Payouts:Period must be '{Month}' or a TimeSpan of at least 1 s, not '{setting}'.");
    }

    /// <summary>The start of the period holding <paramref name="at"/>.</summary>
    public DateTimeOffset StartOf(DateTimeOffset at)
    {
        var utc = at.ToUniversalTime();
        if (fixedLength is not { } length) return new DateTimeOffset(utc.Year, utc.Month, 1, 0, 0, 0, TimeSpan.Zero);
        var sinceEpoch = utc - DateTimeOffset.UnixEpoch;
        var index = sinceEpoch.Ticks >= 0 ? sinceEpoch.Ticks / length.Ticks : (sinceEpoch.Ticks - length.Ticks + 1) / length.Ticks;
        return DateTimeOffset.UnixEpoch.AddTicks(index * length.Ticks);
    }

    /// <summary>The (exclusive) end of the period starting at <paramref name="start"/>.</summary>
    public DateTimeOffset EndOf(DateTimeOffset start) => fixedLength is { } length ? start + length : start.AddMonths(1);

    /// <summary>A period's key in grain keys and statement ids: its start as UTC <c>yyyyMMddTHHmmssZ</c>.</summary>
    public static string KeyOf(DateTimeOffset start) =>
        start.ToUniversalTime().ToString("yyyyMMdd'T'HHmmss'Z'", System.Globalization.CultureInfo.InvariantCulture);
}
