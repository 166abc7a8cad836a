using Ipto.Grains.Hosting;
using Ipto.Search;
using Microsoft.Extensions.Options;

namespace Ipto.Grains.Search;

/// <summary>The deployment's search shards (<c>Ipto:Search:Shards</c>) and which one holds an object.</summary>
public sealed class IndexShardMap(IGrainFactory grains, IOptions<IptoOptions> options)
{
    public int Count => options.Value.Search.Shards;

    public IIndexShardGrain For(string datasetId, string objectId) => grains.GetGrain<IIndexShardGrain>(IndexShards.Of(datasetId, objectId, Count));

    public IIndexShardGrain[] All() => Enumerable.Range(0, Count).Select(shard => grains.GetGrain<IIndexShardGrain>(shard)).ToArray();
}
