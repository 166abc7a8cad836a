namespace Ipto.Common;

/// <summary>Money is integer micro-USD inside; USD with up to 6 decimals at the edges.</summary>
public static class Money
{
    public const string Currency = "USD";
    private const decimal MicrosPerUnit = 1_000_000m;

    /// <summary>False when the amount has more than 6 decimals or does not fit.</summary>
    public static bool TryToMicros(decimal amount, out long micros)
    {
        micros = 0;
        var scaled = amount * MicrosPerUnit;
        if (scaled != decimal.Truncate(scaled) || scaled > long.MaxValue || scaled < long.MinValue) return false;
        micros = (long)scaled;
        return true;
    }

    public static decimal FromMicros(long micros) => micros / MicrosPerUnit;
}
