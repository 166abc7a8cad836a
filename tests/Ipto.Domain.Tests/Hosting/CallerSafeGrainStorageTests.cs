using Ipto.Common;
using Ipto.Grains.Storage;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Orleans.Runtime;
using Orleans.Storage;

namespace Ipto.Domain.Tests.Hosting;

/// <summary>Grain storage failures leave the silo as exceptions any caller decodes, including the read of an activation.</summary>
public sealed class CallerSafeGrainStorageTests
{
    private static readonly GrainId Grain = GrainId.Create("test", "one");

    [Fact]
    public async Task ADatabaseOutageOnReadWriteOrClearIsServiceUnavailable()
    {
        var storage = new CallerSafeGrainStorage(new FailingStorage(() => new NpgsqlException("Failed to connect", new System.Net.Sockets.SocketException())));
        var state = new GrainState<string>();

        var read = await Assert.ThrowsAsync<IptoException>(() => storage.ReadStateAsync("s", Grain, state));
        var write = await Assert.ThrowsAsync<IptoException>(() => storage.WriteStateAsync("s", Grain, state));
        var clear = await Assert.ThrowsAsync<IptoException>(() => storage.ClearStateAsync("s", Grain, state));

        Assert.All([read, write, clear], e => Assert.Equal(ErrorCodes.ServiceUnavailable, e.Code));
    }

    [Fact]
    public async Task AStatementFailureIsAnInternalErrorAndAnEtagConflictStaysWhatItIs()
    {
        var failing = new CallerSafeGrainStorage(new FailingStorage(() => new PostgresException("value too long", "ERROR", "ERROR", "22001")));
        var conflicting = new CallerSafeGrainStorage(new FailingStorage(() => new InconsistentStateException("changed", "a", "b")));

        var error = await Assert.ThrowsAsync<IptoException>(() => failing.WriteStateAsync("s", Grain, new GrainState<string>()));
        await Assert.ThrowsAsync<InconsistentStateException>(() => conflicting.WriteStateAsync("s", Grain, new GrainState<string>()));

        Assert.Equal(ErrorCodes.InternalError, error.Code);
    }

    [Fact]
    public void DecorateWrapsTheNamedRegistrationOnly()
    {
        var services = new ServiceCollection();
        services.AddKeyedSingleton<IGrainStorage>("ipto", (_, _) => new FailingStorage(() => new InvalidOperationException()));
        services.AddKeyedSingleton<IGrainStorage>("other", (_, _) => new FailingStorage(() => new InvalidOperationException()));

        CallerSafeGrainStorage.Decorate(services, "ipto");
        using var provider = services.BuildServiceProvider();

        Assert.IsType<CallerSafeGrainStorage>(provider.GetRequiredKeyedService<IGrainStorage>("ipto"));
        Assert.IsType<FailingStorage>(provider.GetRequiredKeyedService<IGrainStorage>("other"));
    }

    private sealed class FailingStorage(Func<Exception> failure) : IGrainStorage
    {
        public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => throw failure();
        public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => Task.FromException(failure());
        public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => Task.FromException(failure());
    }
}
