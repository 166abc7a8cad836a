namespace Ipto.Grains.Search;

/// <summary>The <c>Ipto:Search</c> settings.</summary>
public sealed class SearchOptions
{
    public const int MaxShards = 256;

    /// <summary>
    /// How many index shards hold the platform's chunks. Placement depends on it, so it is fixed for a deployment:
    /// a shard started under another count refuses to start (see <see cref="IndexShardGrain"/>).
    /// </summary>
    public int Shards { get; set; } = 4;

    /// <summary>How often a shard that changed uploads a segment snapshot to the object store (only new files travel).</summary>
    public TimeSpan SnapshotPeriod { get; set; } = TimeSpan.FromSeconds(30);

    public void Validate()
    {
        if (Shards is < 1 or > MaxShards)
            throw new InvalidOperationException($"Ipto:Search:Shards must be between 1 and {MaxShards}, not {Shards}.");
        if (SnapshotPeriod < TimeSpan.FromSeconds(1))
            throw new InvalidOperationException("Ipto:Search:SnapshotPeriod must be at least 1 s.");
    }
}
