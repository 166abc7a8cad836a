using System.Diagnostics;

/// <summary>Latencies of one series in milliseconds, with nearest-rank percentiles and sequential throughput.</summary>
internal sealed class LatencySeries
{
    private readonly List<double> _samples = [];

    public int Count => _samples.Count;

    public void Add(double milliseconds) => _samples.Add(milliseconds);

    public async Task<T> TimeAsync<T>(Func<Task<T>> action)
    {
        var start = Stopwatch.GetTimestamp();
        var result = await action();
        Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        return result;
    }

    public T Time<T>(Func<T> action)
    {
        var start = Stopwatch.GetTimestamp();
        var result = action();
        Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        return result;
    }

    public double Percentile(double p)
    {
        if (_samples.Count == 0) return double.NaN;
        var sorted = _samples.Order().ToArray();
        var rank = (int)Math.Ceiling(p / 100 * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }

    public double P50 => Percentile(50);

    public double P99 => Percentile(99);

    /// <summary>Queries per second one client gets issuing them back to back (1000 / mean latency).</summary>
    public double Throughput => _samples.Count == 0 ? double.NaN : 1000.0 * _samples.Count / _samples.Sum();
}
