using Ipto.Diagnostics;

namespace Ipto.Grains.Diagnostics;

public sealed class SiloInfoGrain : Grain, ISiloInfoGrain
{
    public Task<string> Where() => Task.FromResult(RuntimeIdentity);

    public Task<string> CallPeer(string peerKey) => GrainFactory.GetGrain<ISiloInfoGrain>(peerKey).Where();
}
