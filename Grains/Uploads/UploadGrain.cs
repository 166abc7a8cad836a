using System.Security.Cryptography;
using Ipto.Common;
using Ipto.Datasets;
using Ipto.Grains.Hosting;
using Ipto.Grains.ObjectStore;
using Ipto.Objects;
using Microsoft.Extensions.Options;

namespace Ipto.Grains.Uploads;

/// <summary>
/// One upload: it plans single or multipart, presigns URLs (bytes never pass through the API), and on completion
/// checks what the store holds before handing the object to normalization. Completion is idempotent.
/// </summary>
public sealed class UploadGrain(
    [PersistentState("upload", StorageNames.Default)] IPersistentState<UploadState> state,
    IObjectStore store,
    IOptions<IptoOptions> options,
    TimeProvider time) : Grain, IUploadGrain
{
    private string UploadId => this.GetPrimaryKeyString();

    public async Task<UploadView> Create(Caller caller, string objectId, NewUpload upload)
    {
        if (state.RecordExists)
        {
            EnsureVisible(caller);
            return await ViewAsync(withUrls: true);
        }

        var dataset = await GrainFactory.GetGrain<IDatasetGrain>(upload.DatasetId).Get(caller); // another tenant's dataset: not_found
        if (!DatasetStatuses.IsLive(dataset.Status)) throw IptoException.InvalidTransition("dataset", dataset.Status, "upload");
        var settings = options.Value.Uploads;
        var plan = new UploadPlanner(settings.MultipartThresholdBytes, settings.MinPartSizeBytes, ObjectKeys.MaxPartNumber, settings.MaxObjectSizeBytes)
            .Plan(upload.SizeBytes) ?? throw new IptoException(ErrorCodes.ValidationFailed, "The request has invalid fields.",
                [new FieldError("size_bytes", $"must be between 1 and {settings.MaxObjectSizeBytes}")]);

        var blobKey = ObjectKeys.ObjectBlob(upload.DatasetId, objectId);
        var stagingKey = ObjectKeys.UploadStaging(upload.DatasetId, UploadId);
        var now = time.GetUtcNow();
        state.State = new UploadState
        {
            ObjectId = objectId,
            TenantId = caller.TenantId,
            DatasetId = upload.DatasetId,
            ContentType = upload.ContentType,
            SizeBytes = upload.SizeBytes,
            BlobKey = blobKey,
            StagingKey = stagingKey,
            DeclaredChecksumSha256 = upload.ChecksumSha256?.ToLowerInvariant(),
            IsMultipart = plan.IsMultipart,
            MultipartUploadId = plan.IsMultipart ? await store.CreateMultipartUploadAsync(stagingKey, upload.ContentType) : null,
            PartSize = plan.PartSize,
            PartCount = plan.Parts.Count,
            ExpiresAt = now + settings.UrlLifetime,
            CreatedAt = now,
        };
        await GrainFactory.GetGrain<IObjectGrain>(objectId).Create(new NewObject(caller.TenantId, upload.DatasetId, UploadId, upload.Filename,
            upload.ContentType, upload.SizeBytes, upload.ChecksumSha256?.ToLowerInvariant(), blobKey));
        await state.WriteStateAsync();
        return await ViewAsync(withUrls: true);
    }

    public async Task<UploadView> Get(Caller caller)
    {
        EnsureVisible(caller);
        return await ViewAsync(withUrls: false);
    }

    public async Task<UploadView> ReissueParts(Caller caller, IReadOnlyList<int> partNumbers)
    {
        EnsureVisible(caller);
        EnsurePending("reissue part URLs for");
        if (!state.State.IsMultipart)
            throw new IptoException(ErrorCodes.ValidationFailed, "The request has invalid fields.", [new FieldError("part_numbers", "only multipart uploads have parts")]);
        var bad = partNumbers.Select((n, i) => (n, i)).Where(p => p.n < 1 || p.n > state.State.PartCount).ToArray();
        if (bad.Length > 0)
            throw new IptoException(ErrorCodes.ValidationFailed, "The request has invalid fields.",
                bad.Select(p => new FieldError($"part_numbers[{p.i}]", $"must be between 1 and {state.State.PartCount}")).ToArray());
        state.State.ExpiresAt = time.GetUtcNow() + options.Value.Uploads.UrlLifetime;
        await state.WriteStateAsync();
        return await ViewAsync(withUrls: true, onlyParts: partNumbers);
    }

    public async Task<UploadView> Abort(Caller caller)
    {
        EnsureVisible(caller);
        var s = state.State;
        if (s.Status == UploadStatuses.Aborted) return await ViewAsync(withUrls: false);
        if (s.Status == UploadStatuses.Completed) throw IptoException.InvalidTransition("upload", s.Status, UploadStatuses.Aborted);
        if (s.IsMultipart) await store.AbortMultipartUploadAsync(s.StagingKey, s.MultipartUploadId!);
        await store.DeleteAsync(s.StagingKey);
        await store.DeleteAsync(s.BlobKey); // a completion that crashed after promoting the bytes
        await GrainFactory.GetGrain<IObjectGrain>(s.ObjectId).Cancel();
        s.Status = UploadStatuses.Aborted;
        await state.WriteStateAsync();
        return await ViewAsync(withUrls: false);
    }

    public async Task<CompletedUpload> Complete(Caller caller, IReadOnlyList<CompletedUploadPart>? parts)
    {
        EnsureVisible(caller);
        var s = state.State;
        if (s.Status == UploadStatuses.Completed)
        {
            if (s.Completed is not null) return s.Completed;
            throw new IptoException(ErrorCodes.ValidationFailed, s.FailureMessage ?? "The upload failed.", [new FieldError(s.FailureField ?? "upload", s.FailureMessage ?? "failed")]);
        }

        if (s.Status == UploadStatuses.Aborted) throw IptoException.InvalidTransition("upload", s.Status, UploadStatuses.Completed);

        if (!s.Promoted)
        {
            if (s.IsMultipart) await CompleteMultipartAsync(parts);
            var staged = await store.HeadAsync(s.StagingKey)
                         ?? throw new IptoException(ErrorCodes.ValidationFailed, "No file has been uploaded yet.", [new FieldError("upload", "no bytes were uploaded to the presigned URL")]);
            await EnsureDeclaredSizeAsync(staged.SizeBytes); // early, before copying a file of the wrong size

            // From here on only the blob key counts, and no presigned URL names it: what is verified below is what review sees.
            await store.CopyAsync(s.StagingKey, s.BlobKey);
            s.Promoted = true;
            await state.WriteStateAsync();
        }

        await store.DeleteAsync(s.StagingKey);
        await VerifyBlobAsync();

        var (snapshot, jobId) = await GrainFactory.GetGrain<IObjectGrain>(s.ObjectId).MarkUploaded();
        s.Status = UploadStatuses.Completed;
        s.Completed = new CompletedUpload(s.ObjectId, snapshot.Status, snapshot.ReviewState ?? ReviewStates.Staged, snapshot.ReviewExpiresAt, jobId);
        await state.WriteStateAsync();
        return s.Completed;
    }

    private async Task CompleteMultipartAsync(IReadOnlyList<CompletedUploadPart>? parts)
    {
        var s = state.State;
        if (parts is null || parts.Count == 0)
            throw new IptoException(ErrorCodes.ValidationFailed, "The request has invalid fields.", [new FieldError("parts", "must list every part with its etag")]);
        try
        {
            await store.CompleteMultipartUploadAsync(s.StagingKey, s.MultipartUploadId!, parts.Select(p => new CompletedPart(p.PartNumber, p.ETag)).ToArray());
        }
        catch (MultipartUploadException e)
        {
            // NoSuchUpload with staged bytes: an earlier attempt completed the parts and stopped before promoting them
            // (only that completion can write the staging key of a multipart upload).
            if (e.Reason == "NoSuchUpload" && await store.HeadAsync(s.StagingKey) is not null) return;
            throw new IptoException(ErrorCodes.ValidationFailed, $"The parts do not complete the upload ({e.Reason}).", [new FieldError("parts", e.Message)]);
        }
    }

    /// <summary>
    /// The promoted blob must have the declared size and, up to the multipart threshold, the declared checksum (hashed
    /// here, streamed, so a mismatch is a 422 at once; larger objects are hashed by normalization, which fails them).
    /// </summary>
    private async Task VerifyBlobAsync()
    {
        var s = state.State;
        var head = await store.HeadAsync(s.BlobKey) ?? throw new ObjectNotFoundException(s.BlobKey);
        await EnsureDeclaredSizeAsync(head.SizeBytes);
        var declared = s.DeclaredChecksumSha256;
        if (declared is null || s.SizeBytes > options.Value.Uploads.MultipartThresholdBytes) return;
        string actual;
        await using (var blob = await store.OpenReadAsync(s.BlobKey))
            actual = Convert.ToHexStringLower(await SHA256.HashDataAsync(blob));
        if (!string.Equals(actual, declared, StringComparison.OrdinalIgnoreCase))
            await FailAsync("checksum_sha256", "checksum_mismatch", $"The stored file's SHA-256 is {actual}, not the declared {declared}.");
    }

    private Task EnsureDeclaredSizeAsync(long stored) => stored == state.State.SizeBytes
        ? Task.CompletedTask
        : FailAsync("size_bytes", "size_mismatch", $"The stored file has {stored} bytes, not the declared {state.State.SizeBytes}.");

    /// <summary>The upload ends failed: the object is <c>failed</c>, its bytes are removed, and a repeated complete answers the same 422.</summary>
    private async Task FailAsync(string field, string reason, string message)
    {
        var s = state.State;
        await GrainFactory.GetGrain<IObjectGrain>(s.ObjectId).Fail($"{reason}: {message}");
        await store.DeleteAsync(s.StagingKey);
        await store.DeleteAsync(s.BlobKey);
        s.Status = UploadStatuses.Completed;
        s.FailureField = field;
        s.FailureMessage = message;
        await state.WriteStateAsync();
        throw new IptoException(ErrorCodes.ValidationFailed, message, [new FieldError(field, message)]);
    }

    private void EnsureVisible(Caller caller)
    {
        if (!state.RecordExists || !caller.Owns(state.State.TenantId)) throw IptoException.NotFound("Upload");
    }

    private void EnsurePending(string action)
    {
        if (state.State.Status != UploadStatuses.Pending) throw IptoException.InvalidTransition("upload", state.State.Status, action);
    }

    private string Status() =>
        state.State.Status == UploadStatuses.Pending && time.GetUtcNow() >= state.State.ExpiresAt ? UploadStatuses.Expired : state.State.Status;

    private async Task<UploadView> ViewAsync(bool withUrls, IReadOnlyList<int>? onlyParts = null)
    {
        var s = state.State;
        var lifetime = s.ExpiresAt - time.GetUtcNow();
        string? url = null;
        IReadOnlyList<UploadPartUrl>? partUrls = null;
        IReadOnlyDictionary<string, string> headers = new Dictionary<string, string>();
        if (withUrls && s.Status == UploadStatuses.Pending && lifetime > TimeSpan.Zero)
        {
            if (!s.IsMultipart)
            {
                var put = await store.PresignPutAsync(s.StagingKey, s.ContentType, s.SizeBytes, lifetime);
                url = put.Url;
                headers = put.RequiredHeaders;
            }
            else
            {
                var numbers = onlyParts ?? Enumerable.Range(1, s.PartCount).ToArray();
                var list = new List<UploadPartUrl>();
                foreach (var n in numbers.Distinct().Order())
                {
                    var size = Math.Min(s.PartSize, s.SizeBytes - (n - 1) * s.PartSize);
                    var part = await store.PresignPartAsync(s.StagingKey, s.MultipartUploadId!, n, size, lifetime);
                    list.Add(new UploadPartUrl(n, part.Url, size));
                }

                partUrls = list;
            }
        }

        return new UploadView(UploadId, s.ObjectId, s.DatasetId, s.IsMultipart ? "multipart" : "single", url, s.IsMultipart ? s.PartSize : null,
            partUrls, s.ExpiresAt, Status(), headers);
    }
}
