using System.Diagnostics;

/// <summary>Calls per second when a fixed number of callers share <c>total</c> calls between them.</summary>
internal static class Concurrent
{
    public static async Task<double> ThroughputAsync<T>(int total, int workers, Func<int, Task<T>> call)
    {
        var next = -1;
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, workers).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < total) await call(i);
        })));
        return total / watch.Elapsed.TotalSeconds;
    }

    /// <summary>The same for synchronous work, on dedicated threads: blocking pool threads would starve the Api's own work.</summary>
    public static double Throughput(int total, int workers, Action<int> call)
    {
        var next = -1;
        var watch = Stopwatch.StartNew();
        var threads = Enumerable.Range(0, workers).Select(_ => new Thread(() =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < total) call(i);
        })).ToArray();
        foreach (var thread in threads) thread.Start();
        foreach (var thread in threads) thread.Join();
        return total / watch.Elapsed.TotalSeconds;
    }
}
