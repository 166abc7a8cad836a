using Ipto.Testing;
using Orleans.TestingHost;

namespace Ipto.Grains.Tests.Support;

/// <summary>
/// A cluster started once for the tests that use it and disposed after the last of them, with its own data dir. Tests
/// that share one isolate themselves by fresh ids (tenants, datasets, keys, jobs), never by an empty cluster.
/// </summary>
public class ClusterFixture(IReadOnlyDictionary<string, string?>? settings = null) : IAsyncLifetime
{
    private readonly TempDir _dir = new();

    public InProcessTestCluster Cluster { get; private set; } = null!;

    public IClusterClient Client => Cluster.Client;

    public string DataDir => _dir.Path;

    public async Task InitializeAsync() => Cluster = await EmbeddedCluster.StartAsync(_dir.Path, settings: settings);

    public async Task DisposeAsync()
    {
        if (Cluster is not null) await Cluster.DisposeAsync();
        _dir.Dispose();
    }
}

/// <summary>The one cluster with the default settings that every test needing just "a cluster" shares.</summary>
public sealed class SharedCluster : ClusterFixture;

[CollectionDefinition(Name)]
public sealed class SharedClusterCollection : ICollectionFixture<SharedCluster>
{
    public const string Name = "shared cluster";
}
