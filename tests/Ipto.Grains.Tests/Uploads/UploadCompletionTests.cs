using System.Security.Cryptography;
using System.Web;
using Ipto.Common;
using Ipto.Datasets;
using Ipto.Grains.ObjectStore;
using Ipto.Grains.Tests.Support;
using Ipto.Objects;
using Ipto.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Ipto.Grains.Tests.Uploads;

/// <summary>Completion resumes where a crashed attempt stopped: after the store completed the parts, before anything else.</summary>
public sealed class UploadCompletionTests
{
    private static readonly Caller Owner = new("tnt_owner", "usr_owner", "user", ["objects:write", "datasets:write"], false);
    private const int MiB = 1024 * 1024;

    [Fact]
    public async Task ACompletionRetriedAfterTheStoreCompletedThePartsPromotesThem()
    {
        using var dir = new TempDir();
        await using var cluster = await EmbeddedCluster.StartAsync(dir.Path, settings: new Dictionary<string, string?>
        {
            ["Ipto:Uploads:MultipartThresholdBytes"] = (6 * MiB).ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Ipto:Uploads:MinPartSizeBytes"] = (5 * MiB).ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        var datasetId = Ids.New(IdPrefixes.Dataset);
        var objectId = Ids.New(IdPrefixes.Object);
        var uploadId = Ids.New(IdPrefixes.Upload);
        await cluster.Client.GetGrain<IDatasetGrain>(datasetId).Create(Owner, new NewDataset("Resume", null, "document", "open", "fixed", null, "private", []));
        var bytes = RandomNumberGenerator.GetBytes(7 * MiB);
        var upload = cluster.Client.GetGrain<IUploadGrain>(uploadId);
        var view = await upload.Create(Owner, objectId, new NewUpload(datasetId, "big.bin", "application/octet-stream", bytes.Length, null));
        var store = (LocalObjectStore)cluster.Silos[0].ServiceProvider.GetRequiredService<IObjectStore>();
        var staging = ObjectKeys.UploadStaging(datasetId, uploadId);
        var parts = new List<CompletedUploadPart>();
        var offset = 0;
        foreach (var part in view.Parts!)
        {
            var multipartId = HttpUtility.ParseQueryString(new Uri(part.Url).Query)[LocalObjectStore.UploadIdParameter]!;
            var etag = await store.ReceivePartAsync(staging, multipartId, part.PartNumber, new MemoryStream(bytes, offset, (int)part.Size), part.Size, default);
            parts.Add(new CompletedUploadPart(part.PartNumber, etag!));
            offset += (int)part.Size;
        }

        // The first attempt: the store assembled the parts, then the silo died before the upload grain went on.
        var multipart = HttpUtility.ParseQueryString(new Uri(view.Parts![0].Url).Query)[LocalObjectStore.UploadIdParameter]!;
        await store.CompleteMultipartUploadAsync(staging, multipart, parts.Select(p => new CompletedPart(p.PartNumber, p.ETag)).ToArray());

        var completed = await upload.Complete(Owner, parts);

        Assert.Equal(objectId, completed.ObjectId);
        Assert.Null(await store.HeadAsync(staging));
        await using var blob = await store.OpenReadAsync(ObjectKeys.ObjectBlob(datasetId, objectId));
        Assert.Equal(SHA256.HashData(bytes), await SHA256.HashDataAsync(blob));
        Assert.Equal(completed, await upload.Complete(Owner, parts));
    }
}
