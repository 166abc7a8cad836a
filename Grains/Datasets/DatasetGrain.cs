using Ipto.Common;
using Ipto.Datasets;
using Ipto.Grains.Hosting;
using Ipto.Grains.Outbox;
using Ipto.Grains.Storage;
using Ipto.Jobs;
using Microsoft.Extensions.Logging;

namespace Ipto.Grains.Datasets;

/// <summary>
/// One dataset. Invariants live here: tenancy (another tenant gets not_found), pricing rules on the merged result,
/// the status machine; every change is projected to the read model after the state write, version-guarded.
/// </summary>
public sealed class DatasetGrain(
    [PersistentState("dataset", StorageNames.Default)] IPersistentState<DatasetState> state,
    DatasetProjection projection,
    TimeProvider time,
    ILogger<DatasetGrain> logger) : Grain, IDatasetGrain
{
    private static readonly TimeSpan DemandFlushPeriod = TimeSpan.FromSeconds(30);

    private IGrainTimer? _demandFlush;
    private bool _demandDirty;

    private string DatasetId => this.GetPrimaryKeyString();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (state.RecordExists) await Projection.CatchUpAsync(this, WriteProjectionAsync, logger, "dataset", DatasetId);
    }

    public async Task<DatasetSnapshot> Create(Caller caller, NewDataset dataset)
    {
        if (state.RecordExists)
        {
            if (state.State.TenantId != caller.TenantId || state.State.Name != dataset.Name)
                throw new IptoException(ErrorCodes.Conflict, "A dataset with this id already exists.");
            await ProjectAsync(); // the retry of a create whose projection failed answers only once the row is there
            return Snapshot();
        }

        var pricing = dataset.Pricing?.ApplyTo(DatasetPricing.Default) ?? DatasetPricing.Default;
        ThrowIfInvalid(pricing);
        var now = time.GetUtcNow();
        state.State = new DatasetState
        {
            TenantId = caller.TenantId,
            Name = dataset.Name,
            Description = dataset.Description,
            SourceModality = dataset.SourceModality,
            MonetizationMode = dataset.MonetizationMode,
            PricingModel = dataset.PricingModel,
            Pricing = pricing,
            Visibility = dataset.Visibility,
            Tags = [.. dataset.Tags],
            CreatedAt = now,
            UpdatedAt = now,
        };
        await SaveAsync();
        return Snapshot();
    }

    public Task<DatasetSnapshot> Get(Caller caller)
    {
        EnsureOwnedBy(caller);
        return Task.FromResult(Snapshot());
    }

    public async Task<DatasetSnapshot> Update(Caller caller, DatasetPatch patch)
    {
        EnsureOwnedBy(caller);
        var s = state.State;
        if (!DatasetStatuses.IsLive(s.Status))
            throw IptoException.InvalidTransition("dataset", s.Status, patch.Status ?? "updated");
        var status = patch.Status ?? s.Status;
        if (status != s.Status && !DatasetTransitions.IsAllowed(s.Status, status, DatasetActor.Owner))
            throw IptoException.InvalidTransition("dataset", s.Status, status);
        if (status == DatasetStatuses.PendingDeletion)
            throw new IptoException(ErrorCodes.InvalidStateTransition, "Use DELETE to delete a dataset.");

        var pricing = patch.Pricing?.ApplyTo(s.Pricing) ?? s.Pricing;
        ThrowIfInvalid(pricing);
        s.Pricing = pricing;
        if (patch.Name is not null) s.Name = patch.Name;
        if (patch.Description is not null) s.Description = patch.Description;
        if (patch.Tags is not null) s.Tags = [.. patch.Tags];
        if (patch.MonetizationMode is not null) s.MonetizationMode = patch.MonetizationMode;
        if (patch.PricingModel is not null) s.PricingModel = patch.PricingModel;
        if (patch.Visibility is not null) s.Visibility = patch.Visibility;
        s.Status = status;
        s.UpdatedAt = time.GetUtcNow();
        await SaveAsync();
        return Snapshot();
    }

    public async Task<DatasetCounters> ApplyObjectChange(ObjectChange change)
    {
        if (!state.RecordExists) throw IptoException.NotFound("Dataset");
        var s = state.State;
        var known = s.AppliedObjects.TryGetValue(change.ObjectId, out var applied);
        if (known && change.Sequence <= applied!.Sequence) return s.Counters;

        // The dataset's own record of what the object counted for is the "before": a change computed by the object
        // against an older delivery still lands on the right totals.
        s.Counters = CounterRules.Apply(s.Counters, change with { Before = known ? applied!.Footprint : change.Before });
        s.AppliedObjects[change.ObjectId] = new AppliedObject(change.Sequence, change.After);
        s.Status = DatasetTransitions.AfterObjectChange(s.Status, change.After);
        s.UpdatedAt = time.GetUtcNow();
        await SaveAsync();
        return s.Counters;
    }

    public async Task<JobSnapshot> Delete(Caller caller)
    {
        EnsureOwnedBy(caller);
        var s = state.State;
        if (s.Status == DatasetStatuses.PendingDeletion && s.DeletionJobId is not null)
            return await StartDeletionJobAsync(s.DeletionJobId);
        if (!DatasetTransitions.IsAllowed(s.Status, DatasetStatuses.PendingDeletion, DatasetActor.Owner))
            throw IptoException.InvalidTransition("dataset", s.Status, DatasetStatuses.PendingDeletion);

        // Recorded before the job starts, so a crash in between is resumed by asking again (or by the job's reminder).
        s.Status = DatasetStatuses.PendingDeletion;
        s.StatusBeforeSuspension = null;
        s.DeletionJobId = Ids.New(IdPrefixes.Job);
        s.UpdatedAt = time.GetUtcNow();
        await SaveAsync();
        return await StartDeletionJobAsync(s.DeletionJobId);
    }

    private Task<JobSnapshot> StartDeletionJobAsync(string jobId) =>
        GrainFactory.GetGrain<IJobGrain>(jobId).Start(new JobRequest(state.State.TenantId, DatasetDeletionHandler.JobType, DatasetId));

    public async Task<DatasetSnapshot> Advance(string toStatus)
    {
        if (!state.RecordExists) throw IptoException.NotFound("Dataset");
        var s = state.State;
        if (s.Status == toStatus) return Snapshot();
        if (!DatasetTransitions.IsAllowed(s.Status, toStatus, DatasetActor.System)) throw IptoException.InvalidTransition("dataset", s.Status, toStatus);
        s.Status = toStatus;
        s.UpdatedAt = time.GetUtcNow();
        await SaveAsync();
        return Snapshot();
    }

    public async Task<DatasetSnapshot> Suspend(Caller caller)
    {
        EnsureAdmin(caller);
        var s = state.State;
        if (!DatasetTransitions.IsAllowed(s.Status, DatasetStatuses.Suspended, DatasetActor.PlatformAdmin))
            throw IptoException.InvalidTransition("dataset", s.Status, DatasetStatuses.Suspended);
        s.StatusBeforeSuspension = s.Status;
        s.Status = DatasetStatuses.Suspended;
        s.UpdatedAt = time.GetUtcNow();
        await SaveAsync();
        return Snapshot();
    }

    public async Task<DatasetSnapshot> Unsuspend(Caller caller)
    {
        EnsureAdmin(caller);
        var s = state.State;
        if (!DatasetTransitions.CanUnsuspend(s.Status, s.StatusBeforeSuspension))
            throw IptoException.InvalidTransition("dataset", s.Status, s.StatusBeforeSuspension ?? "unsuspended");
        s.Status = s.StatusBeforeSuspension!;
        s.StatusBeforeSuspension = null;
        s.UpdatedAt = time.GetUtcNow();
        await SaveAsync();
        return Snapshot();
    }

    public async Task<DatasetGrant> AddGrant(Caller caller, string tenantId)
    {
        EnsureOwnedBy(caller);
        EnsureLive();
        if (tenantId == state.State.TenantId)
            throw new IptoException(ErrorCodes.ValidationFailed, "The request has invalid fields.", [new FieldError("tenant_id", "is the dataset's own tenant")]);
        if (await GrainFactory.GetGrain<Ipto.Tenants.ITenantGrain>(tenantId).GetInternal() is null)
            throw new IptoException(ErrorCodes.ValidationFailed, "The request has invalid fields.", [new FieldError("tenant_id", "is not a tenant")]);
        if (!state.State.Grants.TryGetValue(tenantId, out var grantedAt))
        {
            grantedAt = time.GetUtcNow();
            state.State.Grants[tenantId] = grantedAt;
            state.State.UpdatedAt = grantedAt;
            await SaveAsync();
        }

        return new DatasetGrant(DatasetId, tenantId, grantedAt, GrantStatuses.Active);
    }

    public async Task<DatasetGrant> RemoveGrant(Caller caller, string tenantId)
    {
        EnsureOwnedBy(caller);
        EnsureLive();
        if (!state.State.Grants.Remove(tenantId, out var grantedAt)) throw IptoException.NotFound("Grant");
        state.State.UpdatedAt = time.GetUtcNow();
        await SaveAsync();
        return new DatasetGrant(DatasetId, tenantId, grantedAt, GrantStatuses.Revoked);
    }

    public Task<IReadOnlyList<DatasetGrant>> ListGrants(Caller caller)
    {
        EnsureOwnedBy(caller);
        return Task.FromResult<IReadOnlyList<DatasetGrant>>(state.State.Grants.OrderBy(g => g.Value)
            .Select(g => new DatasetGrant(DatasetId, g.Key, g.Value, GrantStatuses.Active)).ToArray());
    }

    /// <summary>Active, and the caller's own, listed, or restricted with a grant to the caller's tenant.</summary>
    private bool MayBeSearchedBy(Caller caller)
    {
        var s = state.State;
        return state.RecordExists && s.Status == DatasetStatuses.Active
            && (caller.Owns(s.TenantId) || s.Visibility == "listed" || (s.Visibility == "restricted" && s.Grants.ContainsKey(caller.TenantId)));
    }

    public Task<DatasetTerms?> GetTerms(Caller buyer)
    {
        if (!state.RecordExists) return Task.FromResult<DatasetTerms?>(null);
        var s = state.State;
        var usable = MayBeSearchedBy(buyer) && (buyer.AllowedDatasetIds is null || buyer.AllowedDatasetIds.Contains(DatasetId));
        return Task.FromResult<DatasetTerms?>(new DatasetTerms(DatasetId, s.TenantId, s.Name, s.MonetizationMode, s.Pricing, usable));
    }

    public Task<DatasetSearchProfile?> OpenForSearch(Caller caller)
    {
        var s = state.State;
        if (!MayBeSearchedBy(caller)) return Task.FromResult<DatasetSearchProfile?>(null);

        var now = time.GetUtcNow();
        DemandCounter.Count(s.DemandByHour, now);
        _demandDirty = true;
        _demandFlush ??= this.RegisterGrainTimer(FlushDemandAsync, new GrainTimerCreationOptions(DemandFlushPeriod, DemandFlushPeriod) { Interleave = false });
        return Task.FromResult<DatasetSearchProfile?>(new DatasetSearchProfile(DatasetId, s.TenantId, s.Name, s.SourceModality, s.PricingModel, s.Pricing,
            DemandCounter.Last24h(s.DemandByHour, now)));
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) => await FlushDemandAsync(cancellationToken);

    private async Task FlushDemandAsync(CancellationToken cancellationToken)
    {
        if (!_demandDirty) return;
        _demandDirty = false;
        try
        {
            await state.WriteStateAsync(cancellationToken);
        }
        catch (Exception e)
        {
            _demandDirty = true;
            logger.LogWarning(e, "Flushing the demand counter of {DatasetId} failed; the next flush retries", DatasetId);
        }
    }

    private void EnsureAdmin(Caller caller)
    {
        if (!state.RecordExists) throw IptoException.NotFound("Dataset");
        if (!caller.IsPlatformAdmin || !caller.Scopes.Contains(Ipto.Identity.Scopes.Admin))
            throw new IptoException(ErrorCodes.Forbidden, "Only a platform admin can suspend or unsuspend a dataset.");
    }

    private void EnsureLive()
    {
        if (!DatasetStatuses.IsLive(state.State.Status)) throw IptoException.InvalidTransition("dataset", state.State.Status, "updated");
    }

    private void EnsureOwnedBy(Caller caller)
    {
        if (!state.RecordExists || !caller.Owns(state.State.TenantId)) throw IptoException.NotFound("Dataset");
    }

    private static void ThrowIfInvalid(DatasetPricing pricing)
    {
        var errors = PricingRules.Validate(pricing);
        if (errors.Count > 0) throw new IptoException(ErrorCodes.ValidationFailed, "The request has invalid fields.", errors);
    }

    private async Task SaveAsync()
    {
        var s = state.State;
        if (s.Status != s.AnnouncedStatus)
        {
            s.PendingEvents.Add(OutboxEvents.OfSubject(DatasetEventTypes.StatusChanged, s.TenantId, DatasetId, s.UpdatedAt,
                DatasetResponse.From(Snapshot()), EventJson.Default.DatasetResponse, s.AnnouncedStatus));
            s.AnnouncedStatus = s.Status;
        }

        state.State.Version++;
        await state.WriteStateAsync();
        await ProjectAsync();
    }

    private Task ProjectAsync() => Projection.WriteAsync(this, WriteProjectionAsync, logger, "dataset", DatasetId);

    private async Task WriteProjectionAsync()
    {
        var snapshot = Snapshot();
        var provider = DatasetProjection.IsInCatalog(snapshot)
            ? (await GrainFactory.GetGrain<Ipto.Tenants.ITenantGrain>(state.State.TenantId).GetInternal())?.DisplayName ?? ""
            : "";
        await OutboxEvents.ProjectAsync(state.State.PendingEvents,
            events => projection.UpsertAsync(snapshot, state.State.Version, provider, state.State.Grants, events));
    }

    private DatasetSnapshot Snapshot()
    {
        var s = state.State;
        return new DatasetSnapshot(DatasetId, s.TenantId, s.Name, s.Description, s.SourceModality, s.MonetizationMode, s.PricingModel,
            s.Pricing, s.Visibility, s.Status, s.Tags, s.Counters, s.CreatedAt, s.UpdatedAt);
    }
}
