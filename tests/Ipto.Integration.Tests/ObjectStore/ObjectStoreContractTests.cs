using Ipto.Api.Tests.Support;
using Ipto.Grains.Hosting;
using Ipto.Grains.ObjectStore;
using Ipto.Integration.Tests.Support;
using Ipto.Testing;

namespace Ipto.Integration.Tests.ObjectStore;

/// <summary>The contract against the local disk store; its presigned URLs are served by an embedded Api.</summary>
public sealed class LocalObjectStoreContractTests : ObjectStoreContract, IAsyncLifetime
{
    private readonly TempDir _dir = new();
    private IptoApiFactory _api = null!;

    public Task InitializeAsync()
    {
        _api = new IptoApiFactory(_dir.Path);
        _api.ClientFor(null).Dispose();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _api.DisposeAsync();
        _dir.Dispose();
    }

    protected override Task<(IObjectStore Store, HttpClient Http)> OpenAsync() =>
        Task.FromResult((_api.Services.GetRequiredService<IObjectStore>(), _api.CreateClient()));
}

/// <summary>The contract against the S3 emulator through AWSSDK.S3, with plain HTTP for the presigned URLs.</summary>
public sealed class S3ObjectStoreContractTests : ObjectStoreContract, IDisposable
{
    private readonly HttpClient _http = new();
    private S3ObjectStore? _store;

    protected override Task<(IObjectStore Store, HttpClient Http)> OpenAsync()
    {
        Services.RequireS3();
        _store ??= new S3ObjectStore(new S3Options
        {
            ServiceUrl = Services.S3ServiceUrl,
            Bucket = Services.S3Bucket,
            Region = Services.S3Region,
            AccessKey = Services.S3AccessKey,
            SecretKey = Services.S3SecretKey,
            ForcePathStyle = true,
        }, singleCopyLimitBytes: 5 * 1024 * 1024, copyPartSizeBytes: 5 * 1024 * 1024); // small limits so the contract's copy test exercises the multipart copy
        return Task.FromResult<(IObjectStore, HttpClient)>((_store, _http));
    }

    public void Dispose()
    {
        _store?.Dispose();
        _http.Dispose();
    }
}
