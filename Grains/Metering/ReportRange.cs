using Ipto.Common;
using Ipto.Metering;

namespace Ipto.Grains.Metering;

/// <summary>The range [from, to) of a spend or analytics report: by default the 30 days before now; <c>from</c> must come before <c>to</c>.</summary>
public static class ReportRange
{
    public static (DateTimeOffset From, DateTimeOffset To) Of(DateTimeOffset? from, DateTimeOffset? to, DateTimeOffset now)
    {
        var end = to ?? now;
        var start = from ?? (end.UtcTicks - DateTimeOffset.MinValue.UtcTicks > SpendGroupings.DefaultRange.Ticks
            ? end - SpendGroupings.DefaultRange
            : DateTimeOffset.MinValue);
        if (start >= end) throw Filter.Invalid("from must be before to.", "from", "must be before to");
        return (start, end);
    }
}
