using Ipto.Grains.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;

namespace Ipto.Grains.Storage;

/// <summary>
/// Grain storage whose failures every caller can decode: a driver's exception (PostgreSQL down, SQLite busy) becomes
/// the one serializable <see cref="Common.IptoException"/> of <see cref="TransientFailures.ForCaller"/>. Needed beside
/// the grain-call filter because a failed state read during activation never passes through a call filter: it is sent
/// back to the caller as it is, and a client-role Api cannot decode an Npgsql exception.
/// </summary>
public sealed class CallerSafeGrainStorage(IGrainStorage inner) : IGrainStorage, ILifecycleParticipant<ISiloLifecycle>
{
    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        Guard(() => inner.ReadStateAsync(stateName, grainId, grainState));

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        Guard(() => inner.WriteStateAsync(stateName, grainId, grainState));

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        Guard(() => inner.ClearStateAsync(stateName, grainId, grainState));

    public void Participate(ISiloLifecycle lifecycle) => (inner as ILifecycleParticipant<ISiloLifecycle>)?.Participate(lifecycle);

    /// <summary>Wraps the grain storage registered under <paramref name="name"/> (registered just before).</summary>
    public static void Decorate(IServiceCollection services, string name)
    {
        var registered = services.Last(d => d.ServiceType == typeof(IGrainStorage) && Equals(d.ServiceKey, name));
        var factory = registered.KeyedImplementationFactory ?? throw new InvalidOperationException($"Grain storage '{name}' has no factory to wrap.");
        services.Remove(registered);
        services.AddKeyedSingleton<IGrainStorage>(name, (sp, key) => new CallerSafeGrainStorage((IGrainStorage)factory(sp, key)));
    }

    private static async Task Guard(Func<Task> operation)
    {
        try
        {
            await operation();
        }
        catch (Exception e) when (e is not InconsistentStateException && TransientFailures.ForCaller(e) is { } replacement)
        {
            throw replacement;
        }
    }
}
