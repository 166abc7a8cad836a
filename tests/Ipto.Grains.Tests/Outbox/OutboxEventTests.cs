using System.Text.Json;
using Ipto.ApiKeys;
using Ipto.Common;
using Ipto.Datasets;
using Ipto.Grains.Metering;
using Ipto.Grains.Tests.Support;
using Ipto.Objects;
using Ipto.Search;
using Ipto.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Ipto.Grains.Tests.Outbox;

/// <summary>Grains record their events with the state change; the outbox gets each once, even when its write failed at first.</summary>
[Collection(SharedClusterCollection.Name)]
public sealed class OutboxEventTests(SharedCluster shared)
{
    private static readonly Caller Owner = new("tnt_outbox", "usr_owner", "user", ["objects:write", "datasets:write", "datasets:read"], false);

    private Task<IReadOnlyList<string[]>> EventsAsync(string subjectId) => ReadModel.RowsAsync(shared.DataDir,
        "SELECT event_id, type, tenant_id, data FROM outbox_events WHERE subject_id = $id ORDER BY created_at, event_id", subjectId);

    private async Task<(string DatasetId, IObjectGrain Object, string ObjectId)> NewObjectAsync()
    {
        var datasetId = Ids.New(IdPrefixes.Dataset);
        await shared.Client.GetGrain<IDatasetGrain>(datasetId).Create(Owner, new NewDataset("Events", null, "document", "open", "fixed", null, "private", []));
        var objectId = Ids.New(IdPrefixes.Object);
        var grain = shared.Client.GetGrain<IObjectGrain>(objectId);
        await grain.Create(new NewObject(Owner.TenantId, datasetId, Ids.New(IdPrefixes.Upload), "a.txt", "text/plain", 5, null, $"blobs/{objectId}"));
        return (datasetId, grain, objectId);
    }

    [Fact]
    public async Task EachStatusChangeIsOneEventWithTheObjectAsTheApiShowsItAndItsPreviousStatus()
    {
        var (_, obj, objectId) = await NewObjectAsync();
        Assert.Empty(await EventsAsync(objectId)); // creation is not a change

        await obj.Cancel();
        await obj.Cancel(); // a repeat changes nothing and records nothing
        await obj.Tombstone();

        var events = await EventsAsync(objectId);
        Assert.Equal([ObjectEventTypes.StatusChanged, ObjectEventTypes.StatusChanged], events.Select(e => e[1]));
        Assert.All(events, e => Assert.True(Ids.IsValid(e[0], IdPrefixes.Event)));
        Assert.All(events, e => Assert.Equal(Owner.TenantId, e[2]));
        var (first, second) = (JsonDocument.Parse(events[0][3]).RootElement, JsonDocument.Parse(events[1][3]).RootElement);
        Assert.Equal((objectId, "cancelled", "pending_upload"), (first.GetProperty("object_id").GetString(), first.GetProperty("status").GetString(),
            first.GetProperty("previous_status").GetString()));
        Assert.Equal(("deleted", "cancelled"), (second.GetProperty("status").GetString(), second.GetProperty("previous_status").GetString()));
        Assert.Equal("a.txt", first.GetProperty("filename").GetString());
        Assert.EndsWith("Z", first.GetProperty("updated_at").GetString());
    }

    [Fact]
    public async Task AnEventWhoseOutboxWriteFailedIsWrittenOnceByTheNextActivation()
    {
        var (_, obj, objectId) = await NewObjectAsync();
        var trigger = "refuse_" + objectId;
        await ReadModel.ExecuteAsync(shared.DataDir,
            $"CREATE TRIGGER {trigger} BEFORE INSERT ON outbox_events WHEN NEW.subject_id = '{objectId}' BEGIN SELECT RAISE(ABORT, 'refused'); END");
        try
        {
            await Assert.ThrowsAnyAsync<Exception>(() => obj.Cancel()); // the state is written, its projection is not
        }
        finally
        {
            await ReadModel.ExecuteAsync(shared.DataDir, $"DROP TRIGGER {trigger}");
        }

        Assert.Empty(await EventsAsync(objectId));
        await shared.Cluster.DeactivateAsync(obj); // as if the silo had died before the retry
        Assert.Equal(ObjectStatuses.Cancelled, (await obj.GetInternal())!.Status);
        await Eventually.Until(() => EventsAsync(objectId), e => e.Count == 1, what: "the cancellation event");

        await obj.Tombstone(); // the next change writes its own event only
        var events = await EventsAsync(objectId);
        Assert.Equal(2, events.Count);
        Assert.Equal("cancelled", JsonDocument.Parse(events[0][3]).RootElement.GetProperty("status").GetString());
    }

    [Fact]
    public async Task ADatasetRecordsItsStatusChangesWithItsPreviousStatus()
    {
        var datasetId = Ids.New(IdPrefixes.Dataset);
        var dataset = shared.Client.GetGrain<IDatasetGrain>(datasetId);
        await dataset.Create(Owner, new NewDataset("Lifecycle", null, "document", "open", "fixed", null, "private", []));
        await dataset.Advance(DatasetStatuses.Ingesting);

        var events = await EventsAsync(datasetId);
        var data = JsonDocument.Parse(Assert.Single(events)[3]).RootElement;
        Assert.Equal(DatasetEventTypes.StatusChanged, events[0][1]);
        Assert.Equal(("ingesting", "draft", "Lifecycle"), (data.GetProperty("status").GetString(), data.GetProperty("previous_status").GetString(),
            data.GetProperty("name").GetString()));
        Assert.Equal("USD", data.GetProperty("pricing").GetProperty("currency").GetString());
    }

    [Fact]
    public async Task SpendThresholdsAreRecordedOncePerKeyAndPeriodEvenAfterARebuild()
    {
        var keyId = Ids.New(IdPrefixes.ApiKey);
        var now = DateTimeOffset.UtcNow;
        var ledger = shared.Cluster.Silos[0].ServiceProvider.GetRequiredService<LedgerWriter>();
        await ledger.AppendAsync(new AccessEventRow(Ids.New(IdPrefixes.Retrieval, now), "retrieval", "tnt_buyer", "tnt_provider", "dset_x", "obj_x", keyId,
            null, 70_000, now));
        var counter = shared.Client.GetGrain<ISpendCounterGrain>(keyId);
        var limit = new SpendLimit(100_000, "day");

        await counter.Reserve("tnt_buyer", limit, [5_000]); // 75%: nothing
        Assert.Empty(await EventsAsync(keyId));
        await counter.Reserve("tnt_buyer", limit, [10_000]); // 85%: the 80% threshold
        await counter.Reserve("tnt_buyer", limit, [1_000]);
        Assert.Single(await EventsAsync(keyId));

        await ledger.AppendAsync(new AccessEventRow(Ids.New(IdPrefixes.Retrieval, now), "retrieval", "tnt_buyer", "tnt_provider", "dset_x", "obj_x", keyId,
            null, 15_000, now));
        await shared.Cluster.DeactivateAsync(counter); // the rebuild sees 85% in the ledger: the 80% event again, a no-op
        await counter.Reserve("tnt_buyer", limit, [1_000]);
        Assert.Single(await EventsAsync(keyId));
        await counter.Reserve("tnt_buyer", limit, [14_000]); // 100%

        var events = await EventsAsync(keyId);
        Assert.Equal([SpendEventTypes.ThresholdReached, SpendEventTypes.ThresholdReached], events.Select(e => e[1]));
        var thresholds = events.Select(e => JsonDocument.Parse(e[3]).RootElement).ToArray();
        Assert.Equal([80, 100], thresholds.Select(t => t.GetProperty("threshold_pct").GetInt32()));
        Assert.All(thresholds, t => Assert.Equal(keyId, t.GetProperty("api_key_id").GetString()));
        Assert.Equal(0.1m, thresholds[1].GetProperty("limit").GetDecimal());
        Assert.All(events, e => Assert.Equal("tnt_buyer", e[2]));
    }
}
