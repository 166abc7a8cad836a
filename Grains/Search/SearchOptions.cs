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

    public void Validate()
    {
        if (Shards is < 1 or > MaxShards)
            throw new InvalidOperationException($"Ipto:Search:Shards must be between 1 and {MaxShards}, not {Shards}.");
    }
}
