using Ipto.Common;
using Ipto.Grains.ObjectStore;
using Ipto.Objects;

namespace Ipto.Grains.Tests.Support;

/// <summary>An upload as a client makes it, without HTTP: plan it, write the bytes where its presigned URL points, complete.</summary>
public static class Uploads
{
    public static async Task<CompletedUpload> UploadAsync(this IGrainFactory grains, IObjectStore store, Caller owner, string datasetId, string objectId,
        string filename, string contentType, byte[] bytes)
    {
        var uploadId = Ids.New(IdPrefixes.Upload);
        var upload = grains.GetGrain<IUploadGrain>(uploadId);
        await upload.Create(owner, objectId, new NewUpload(datasetId, filename, contentType, bytes.Length, null));
        await store.WriteAsync(ObjectKeys.UploadStaging(datasetId, uploadId), new MemoryStream(bytes), contentType);
        return await upload.Complete(owner, null);
    }
}
