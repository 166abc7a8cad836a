using Ipto.Billing;
using Ipto.Common;
using Ipto.Datasets;
using Ipto.Grains.Hosting;
using Ipto.Grains.Normalization;
using Ipto.Grains.ObjectStore;
using Ipto.Grains.Outbox;
using Ipto.Grains.Storage;
using Ipto.Identity;
using Ipto.Jobs;
using Ipto.Objects;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Ipto.Grains.Objects;

/// <summary>
/// One object. Each transition is written to state first, then projected and sent to the dataset's counters as the
/// change from what the dataset last received; an undelivered change is re-sent on the next write or activation.
/// </summary>
public sealed class ObjectGrain(
    [PersistentState("object", StorageNames.Default)] IPersistentState<ObjectState> state,
    ObjectProjection projection,
    ObjectBlobPurger purger,
    Search.IndexShardMap shards,
    IObjectStore store,
    IOptions<IptoOptions> options,
    TimeProvider time,
    ILogger<ObjectGrain> logger) : Grain, IObjectGrain
{
    private string ObjectId => this.GetPrimaryKeyString();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (!state.RecordExists) return;
        await Projection.CatchUpAsync(this, WriteProjectionAsync, logger, "object", ObjectId);
        await DeliverToDatasetAsync();
        if (state.State.ReviewState == ReviewStates.Staged) await ScheduleExpiryAsync();
    }

    private Task ScheduleExpiryAsync()
    {
        var due = state.State.ReviewExpiresAt!.Value;
        return GrainFactory.GetGrain<IReviewExpiryGrain>(IReviewExpiryGrain.BucketOf(due)).Schedule(ObjectId, due);
    }

    public async Task<ObjectSnapshot> Create(NewObject obj)
    {
        if (state.RecordExists)
        {
            if (state.State.UploadId != obj.UploadId) throw new IptoException(ErrorCodes.Conflict, "An object with this id already exists.");
            await ProjectAsync(); // the retry of a create whose projection failed answers only once the row is there
            return Snapshot();
        }

        var now = time.GetUtcNow();
        state.State = new ObjectState
        {
            TenantId = obj.TenantId,
            DatasetId = obj.DatasetId,
            UploadId = obj.UploadId,
            Filename = obj.Filename,
            ContentType = obj.ContentType,
            SizeBytes = obj.SizeBytes,
            DeclaredChecksumSha256 = obj.DeclaredChecksumSha256,
            BlobKey = obj.BlobKey,
            CreatedAt = now,
            UpdatedAt = now,
        };
        await SaveAsync();
        return Snapshot();
    }

    public Task<ObjectSnapshot> Get(Caller caller)
    {
        EnsureOwnedBy(caller);
        return Task.FromResult(Snapshot());
    }

    /// <summary>Another tenant's object (or none): not_found, so its existence is not revealed.</summary>
    private void EnsureOwnedBy(Caller caller)
    {
        if (!state.RecordExists || !caller.Owns(state.State.TenantId)) throw IptoException.NotFound("Object");
    }

    public async Task<ObjectDownload> Download(Caller caller)
    {
        if (state.RecordExists && caller.Owns(state.State.TenantId))
        {
            Access.RequireScope(caller, Scopes.DatasetsRead);
            if (!ObjectTransitions.KeepsBytes(state.State.Status)) throw IptoException.InvalidTransition("object", state.State.Status, "downloaded");
            var own = await PresignAsync();
            return new ObjectDownload(own.Url, own.ExpiresAt);
        }

        Access.RequireScope(caller, Scopes.SearchQuery);
        if (!state.RecordExists || state.State.Status != ObjectStatuses.Active) throw IptoException.NotFound("Object");
        var terms = await GrainFactory.GetGrain<IDatasetGrain>(state.State.DatasetId).GetTerms(caller);
        if (terms is not { UsableByBuyer: true }) throw IptoException.NotFound("Object");
        var charge = await GrainFactory.GetGrain<IDownloadChargeGrain>(IDownloadChargeGrain.KeyOf(caller, ObjectId))
            .Charge(caller, new DownloadTerms(terms.TenantId, terms.DatasetId, ObjectId, terms.Pricing.PricePerDownloadMicros));
        var url = await PresignAsync();
        return new ObjectDownload(url.Url, url.ExpiresAt, charge.AccessId, charge.ChargedMicros);
    }

    private Task<PresignedUrl> PresignAsync() => store.PresignGetAsync(state.State.BlobKey, DownloadLifetime, state.State.Filename);

    /// <summary>How long an owner's download URL works (SPEC §5).</summary>
    public static readonly TimeSpan DownloadLifetime = TimeSpan.FromMinutes(15);

    public Task<ObjectSnapshot?> GetInternal() => Task.FromResult(state.RecordExists ? Snapshot() : null);

    public Task<string> GetUploadId(Caller caller)
    {
        EnsureOwnedBy(caller);
        return Task.FromResult(state.State.UploadId);
    }

    public async Task<(ObjectSnapshot Object, string JobId)> MarkUploaded()
    {
        EnsureExists();
        var s = state.State;
        if (ObjectTransitions.IsAllowed(s.Status, ObjectStatuses.Processing, ObjectActor.System)
            && ObjectTransitions.IsReviewAllowed(s.ReviewState, ReviewStates.Staged, ObjectActor.System))
        {
            var now = time.GetUtcNow();
            s.Status = ObjectStatuses.Processing;
            s.ReviewState = ReviewStates.Staged;
            s.ReviewExpiresAt = now + options.Value.Review.StagedTtl;
            s.NormalizationJobId = Ids.New(IdPrefixes.Job);
            s.UpdatedAt = now;
            await SaveAsync();
        }
        else if (s.NormalizationJobId is null)
        {
            throw IptoException.InvalidTransition("object", s.Status, ObjectStatuses.Processing);
        }

        // Started after the state write, and again on a repeated call: starting a job or scheduling twice is a no-op.
        await ScheduleExpiryAsync();
        await GrainFactory.GetGrain<IJobGrain>(s.NormalizationJobId!).Start(new JobRequest(s.TenantId, NormalizationHandler.JobType, ObjectId));
        return (Snapshot(), s.NormalizationJobId!);
    }

    public async Task<ObjectSnapshot> Cancel()
    {
        EnsureExists();
        if (state.State.Status == ObjectStatuses.Cancelled) return Snapshot();
        if (!ObjectTransitions.IsAllowed(state.State.Status, ObjectStatuses.Cancelled, ObjectActor.Owner))
            throw IptoException.InvalidTransition("object", state.State.Status, ObjectStatuses.Cancelled);
        state.State.Status = ObjectStatuses.Cancelled;
        state.State.UpdatedAt = time.GetUtcNow();
        await SaveAsync();
        return Snapshot();
    }

    public async Task<ObjectSnapshot> Fail(string reason)
    {
        EnsureExists();
        var s = state.State;
        if (s.Status == ObjectStatuses.Failed) return Snapshot();
        if (!ObjectTransitions.IsAllowed(s.Status, ObjectStatuses.Failed, ObjectActor.System))
            throw IptoException.InvalidTransition("object", s.Status, ObjectStatuses.Failed);
        s.Status = ObjectStatuses.Failed;
        s.Extraction = (s.Extraction ?? new Extraction(0, null, 0, null, null)) with { Error = reason };
        s.UpdatedAt = time.GetUtcNow();
        await SaveAsync();
        return Snapshot();
    }

    public async Task<(ObjectSnapshot Object, string JobId)> Approve(Caller admin)
    {
        EnsureExists();
        EnsurePlatformAdmin(admin);
        var s = state.State;
        if (!ObjectTransitions.IsReviewAllowed(s.ReviewState, ReviewStates.Approved, ObjectActor.PlatformAdmin)
            || !ObjectTransitions.IsAllowed(s.Status, ObjectStatuses.Indexing, ObjectActor.PlatformAdmin))
            throw IptoException.InvalidTransition("object", DecisionState(), ReviewStates.Approved);
        var now = time.GetUtcNow();
        var before = s.Status;
        s.ReviewState = ReviewStates.Approved;
        s.ReviewedAt = now;
        s.Status = ObjectStatuses.Indexing;
        s.IngestionJobId = Ids.New(IdPrefixes.Job);
        s.UpdatedAt = now;
        Record(ObjectEventTypes.ReviewDecided, before);
        await SaveAsync();
        await GrainFactory.GetGrain<IJobGrain>(s.IngestionJobId).Start(new JobRequest(s.TenantId, IngestionHandler.JobType, ObjectId));
        return (Snapshot(), s.IngestionJobId);
    }

    public async Task<ObjectSnapshot> Reject(Caller admin, string reason)
    {
        EnsureExists();
        EnsurePlatformAdmin(admin);
        var s = state.State;
        if (!ObjectTransitions.IsReviewAllowed(s.ReviewState, ReviewStates.Rejected, ObjectActor.PlatformAdmin)
            || !ObjectTransitions.IsAllowed(s.Status, ObjectStatuses.Rejected, ObjectActor.PlatformAdmin))
            throw IptoException.InvalidTransition("object", DecisionState(), ReviewStates.Rejected);
        var now = time.GetUtcNow();
        var before = s.Status;
        s.ReviewState = ReviewStates.Rejected;
        s.ReviewReason = reason;
        s.ReviewedAt = now;
        s.Status = ObjectStatuses.Rejected;
        s.UpdatedAt = now;
        Record(ObjectEventTypes.ReviewDecided, before);
        await SaveAsync();
        await purger.PurgeAsync(s.DatasetId, ObjectId);
        return Snapshot();
    }

    public async Task<ObjectSnapshot> Expire()
    {
        EnsureExists();
        var s = state.State;
        var now = time.GetUtcNow();
        if (!ObjectTransitions.IsReviewAllowed(s.ReviewState, ReviewStates.Expired, ObjectActor.System)
            || !ObjectTransitions.IsAllowed(s.Status, ObjectStatuses.Expired, ObjectActor.System)
            || s.ReviewExpiresAt is not { } due || now < due)
            return Snapshot();
        s.ReviewState = ReviewStates.Expired;
        s.Status = ObjectStatuses.Expired;
        s.UpdatedAt = now;
        await SaveAsync();
        await purger.PurgeAsync(s.DatasetId, ObjectId);
        return Snapshot();
    }

    public async Task<ObjectSnapshot> Delete(Caller caller)
    {
        if (!state.RecordExists || !caller.Owns(state.State.TenantId)) throw IptoException.NotFound("Object");
        var s = state.State;
        // Tombstoned by its dataset's deletion: the dataset's purge removes the bytes, there is no job of its own.
        if (s.Status == ObjectStatuses.Deleted && s.PurgeJobId is null) return Snapshot();
        if (ObjectTransitions.IsAllowed(s.Status, ObjectStatuses.Deleted, ObjectActor.Owner))
        {
            var now = time.GetUtcNow();
            s.Status = ObjectStatuses.Deleted;
            s.DeletedAt = now;
            s.PurgeJobId = Ids.New(IdPrefixes.Job);
            s.UpdatedAt = now;
            await SaveAsync();
        }

        // Out of search before the answer (the purge job removes it again, harmlessly, with the files).
        await shards.For(s.DatasetId, ObjectId).RemoveObject(ObjectId);
        await GrainFactory.GetGrain<IJobGrain>(s.PurgeJobId!).Start(new JobRequest(s.TenantId, ObjectPurgeHandler.JobType, ObjectId));
        return Snapshot();
    }

    public async Task<ObjectSnapshot> Tombstone()
    {
        EnsureExists();
        var s = state.State;
        if (!ObjectTransitions.IsAllowed(s.Status, ObjectStatuses.Deleted, ObjectActor.System)) return Snapshot(); // already a tombstone
        var now = time.GetUtcNow();
        s.Status = ObjectStatuses.Deleted;
        s.DeletedAt = now;
        s.UpdatedAt = now;
        await SaveAsync();
        return Snapshot();
    }

    public async Task<ObjectSnapshot> MarkActive()
    {
        EnsureExists();
        var s = state.State;
        if (s.Status == ObjectStatuses.Active) return Snapshot();
        if (!ObjectTransitions.IsAllowed(s.Status, ObjectStatuses.Active, ObjectActor.System)) throw IptoException.InvalidTransition("object", s.Status, ObjectStatuses.Active);
        var now = time.GetUtcNow();
        s.Status = ObjectStatuses.Active;
        s.IndexStage = IndexStages.Lexical;
        s.IndexedAt = now;
        s.UpdatedAt = now;
        await SaveAsync();
        return Snapshot();
    }

    public async Task<ObjectSnapshot> CompleteIndexing()
    {
        EnsureExists();
        var s = state.State;
        if (s.Status != ObjectStatuses.Active || s.IndexStage != IndexStages.Lexical) return Snapshot();
        await shards.For(s.DatasetId, ObjectId).IndexObject(Snapshot());
        s.IndexStage = IndexStages.Complete;
        s.UpdatedAt = time.GetUtcNow();
        await SaveAsync();
        return Snapshot();
    }

    private string DecisionState() => state.State.ReviewState == ReviewStates.Staged ? state.State.Status : state.State.ReviewState ?? state.State.Status;

    private static void EnsurePlatformAdmin(Caller caller)
    {
        if (!caller.MayReview())
            throw new IptoException(ErrorCodes.Forbidden, "Only a platform admin can review objects.");
    }

    public async Task<ObjectSnapshot> RecordExtraction(string checksumSha256, Extraction extraction)
    {
        EnsureExists();
        var s = state.State;
        if (s.Status == ObjectStatuses.Ready && s.ChecksumSha256 == checksumSha256) return Snapshot();
        if (!ObjectTransitions.IsAllowed(s.Status, ObjectStatuses.Ready, ObjectActor.System)) throw IptoException.InvalidTransition("object", s.Status, ObjectStatuses.Ready);
        s.ChecksumSha256 = checksumSha256;
        s.Extraction = extraction;
        s.Status = ObjectStatuses.Ready;
        s.UpdatedAt = time.GetUtcNow();
        await SaveAsync();
        return Snapshot();
    }

    private void EnsureExists()
    {
        if (!state.RecordExists) throw IptoException.NotFound("Object");
    }

    /// <summary>Records an event about the object as it is now; it is written to state with the change, then to the outbox.</summary>
    private void Record(string type, string? previousStatus)
    {
        var s = state.State;
        s.PendingEvents.Add(OutboxEvents.OfSubject(type, s.TenantId, ObjectId, s.UpdatedAt, ObjectResponse.From(Snapshot()), EventJson.Default.ObjectResponse,
            previousStatus));
    }

    private async Task SaveAsync()
    {
        if (state.State.Status != state.State.AnnouncedStatus)
        {
            Record(ObjectEventTypes.StatusChanged, state.State.AnnouncedStatus);
            state.State.AnnouncedStatus = state.State.Status;
        }

        state.State.Version++;
        await state.WriteStateAsync();
        try
        {
            await ProjectAsync();
        }
        finally
        {
            // The dataset's counters follow the state even when the object's own row has to be retried.
            await DeliverToDatasetAsync();
        }
    }

    private Task ProjectAsync() => Projection.WriteAsync(this, WriteProjectionAsync, logger, "object", ObjectId);

    private Task WriteProjectionAsync() =>
        OutboxEvents.ProjectAsync(state.State.PendingEvents, events => projection.UpsertAsync(Snapshot(), state.State.Version, events));

    /// <summary>
    /// Sends the dataset the object's current footprint under the state version (at least once: the dataset ignores a
    /// version it already has and counts the difference from what it recorded last).
    /// </summary>
    private async Task DeliverToDatasetAsync()
    {
        var s = state.State;
        if (s.DeliveredSequence >= s.Version) return;
        try
        {
            await GrainFactory.GetGrain<IDatasetGrain>(s.DatasetId).ApplyObjectChange(new ObjectChange(ObjectId, s.Version, s.DeliveredFootprint, s.Footprint));
            s.DeliveredFootprint = s.Footprint;
            s.DeliveredSequence = s.Version;
            await state.WriteStateAsync();
        }
        catch (Exception e) when (e is not IptoException)
        {
            logger.LogWarning(e, "Could not update the counters of dataset {DatasetId} for object {ObjectId}; retried on the next change", s.DatasetId, ObjectId);
        }
    }

    private ObjectSnapshot Snapshot()
    {
        var s = state.State;
        return new ObjectSnapshot(ObjectId, s.DatasetId, s.TenantId, s.Filename, s.ContentType, s.SizeBytes, s.ChecksumSha256 ?? s.DeclaredChecksumSha256,
            s.Status, s.ReviewState, s.ReviewExpiresAt, s.ReviewedAt, s.ReviewReason, s.Extraction, s.IndexedAt, s.CreatedAt, s.UpdatedAt, s.DeletedAt,
            s.Status == ObjectStatuses.Active ? s.IndexStage ?? IndexStages.Complete : null);
    }
}
