using Ipto.Common;

namespace Ipto.Objects;

/// <summary>One upload (<c>upl_…</c>): its plan, presigned URLs, and the completion that hands the object to normalization.</summary>
[Alias("Ipto.IUploadGrain")]
public interface IUploadGrain : IGrainWithStringKey
{
    [Alias("Create")]
    Task<UploadView> Create(Caller caller, string objectId, NewUpload upload);

    [Alias("Get")]
    Task<UploadView> Get(Caller caller);

    /// <summary>New presigned URLs for some parts of a pending multipart upload.</summary>
    [Alias("ReissueParts")]
    Task<UploadView> ReissueParts(Caller caller, IReadOnlyList<int> partNumbers);

    /// <summary>Aborts a pending upload: partial data removed, object <c>cancelled</c>. Aborting twice is a no-op.</summary>
    [Alias("Abort")]
    Task<UploadView> Abort(Caller caller);

    /// <summary>Verifies the stored size, completes multipart, starts normalization. Completing twice returns the same result.</summary>
    [Alias("Complete")]
    Task<CompletedUpload> Complete(Caller caller, IReadOnlyList<CompletedUploadPart>? parts);
}
