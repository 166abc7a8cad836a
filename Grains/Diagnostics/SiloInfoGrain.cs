using Ipto.Diagnostics;

namespace Ipto.Grains.Diagnostics;

/// <summary>Where a grain runs, for probes that must reach every silo (hence random placement: the default,
/// resource-optimized placement may keep every probe on the least loaded silo).</summary>
[Orleans.Placement.RandomPlacement]
public sealed class SiloInfoGrain : Grain, ISiloInfoGrain
{
    public Task<string> Where() => Task.FromResult(RuntimeIdentity);

    public Task<string> CallPeer(string peerKey) => GrainFactory.GetGrain<ISiloInfoGrain>(peerKey).Where();
}
