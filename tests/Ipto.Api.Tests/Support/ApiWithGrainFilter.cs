using Ipto.Testing;

namespace Ipto.Api.Tests.Support;

/// <summary>An Api of a test's own whose silo runs <paramref name="filter"/> on every incoming grain call (to inject faults).</summary>
public sealed class ApiWithGrainFilter(IIncomingGrainCallFilter filter, IReadOnlyDictionary<string, string?>? settings = null) : IAsyncDisposable
{
    private readonly TempDir _dir = new();
    private IptoApiFactory? _factory;

    public IptoApiFactory Factory => _factory ??= Start();

    public async ValueTask DisposeAsync()
    {
        if (_factory is not null) await _factory.DisposeAsync();
        _dir.Dispose();
    }

    private IptoApiFactory Start()
    {
        var factory = new IptoApiFactory(_dir.Path, settings, testCredentials: false)
        {
            ConfigureServices = services => services.AddSingleton(filter),
        };
        factory.ClientFor(null).Dispose();
        return factory;
    }
}
