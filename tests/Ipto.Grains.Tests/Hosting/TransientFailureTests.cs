using Ipto.Common;
using Ipto.Datasets;
using Ipto.Grains.Tests.Support;
using Ipto.Objects;
using Ipto.Testing;

namespace Ipto.Grains.Tests.Hosting;

/// <summary>
/// A dependency that is down reaches the caller of a grain as <c>service_unavailable</c>, an exception every client
/// can decode (a driver's own exception may have no codec in a client-role Api, which then answered 500).
/// </summary>
public sealed class TransientFailureTests
{
    private static readonly Caller Owner = new("tnt_owner", "usr_owner", "user", ["objects:write", "datasets:write"], false);

    [Fact]
    public async Task AnObjectStoreThatDoesNotAnswerIsServiceUnavailable()
    {
        using var dir = new TempDir();
        await using var cluster = await EmbeddedCluster.StartAsync(dir.Path, settings: new Dictionary<string, string?>
        {
            ["Ipto:ObjectStore:Provider"] = "s3",
            ["Ipto:S3:ServiceUrl"] = $"http://127.0.0.1:{Ports.Free()}", // nothing listens there
            ["Ipto:S3:Bucket"] = "nowhere",
        });
        var datasetId = Ids.New(IdPrefixes.Dataset);
        await cluster.Client.GetGrain<IDatasetGrain>(datasetId).Create(Owner, new NewDataset("Down", null, "document", "open", "fixed", null, "private", []));

        // Above the multipart threshold: planning the upload asks the store to start a multipart upload.
        var error = await Assert.ThrowsAsync<IptoException>(() => cluster.Client.GetGrain<IUploadGrain>(Ids.New(IdPrefixes.Upload))
            .Create(Owner, Ids.New(IdPrefixes.Object), new NewUpload(datasetId, "big.bin", "application/octet-stream", 100L * 1024 * 1024, null)));

        Assert.Equal(ErrorCodes.ServiceUnavailable, error.Code);
    }
}
