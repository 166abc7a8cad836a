using Ipto.Diagnostics;
using Orleans.Concurrency;

namespace Ipto.Grains.Diagnostics;

[StatelessWorker]
public sealed class PingGrain : Grain, IPingGrain
{
    public Task<string> Ping() => Task.FromResult(RuntimeIdentity);
}
