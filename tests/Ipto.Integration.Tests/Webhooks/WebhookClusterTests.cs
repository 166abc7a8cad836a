using System.Globalization;
using Ipto.Common;
using Ipto.Datasets;
using Ipto.Grains.Webhooks;
using Ipto.Integration.Tests.Support;
using Ipto.Testing;
using Ipto.Testing.Webhooks;
using Ipto.Webhooks;

namespace Ipto.Integration.Tests.Webhooks;

/// <summary>
/// Webhook delivery in cluster mode on PostgreSQL with silo processes: an event committed by a grain reaches its
/// endpoint even when the silo delivering it is killed before the delivery succeeds, with the same <c>webhook-id</c>.
/// </summary>
public sealed class WebhookClusterTests
{
    private static readonly Dictionary<string, string> Environment = new()
    {
        ["Ipto__Webhooks__AllowInsecureTargets"] = "true",
        ["Ipto__Webhooks__RetrySchedule"] = string.Join(',', Enumerable.Repeat("00:00:01", 9)),
    };

    [SkippableFact]
    public async Task AnEventStillArrivesWithTheSameWebhookIdAfterTheSiloDeliveringItIsKilled()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var cluster = await TestClusterContext.CreateAsync();
        await using var a = SiloProcess.Start(cluster.Settings, Environment);
        await using var b = SiloProcess.Start(cluster.Settings, Environment);
        await cluster.WaitForActiveSilosAsync(2, a, b);
        using var clientHost = await ClusterClientHost.StartAsync(cluster.Settings);
        var grains = clientHost.Services.GetRequiredService<IClusterClient>();

        // An endpoint made the way an internal tool would (the HTTP path is covered by the Api tests), whose receiver fails for now.
        var tenantId = Ids.New(IdPrefixes.Tenant);
        const string path = "cluster-hook";
        receiver.Hold(path);
        var webhookId = Ids.New(IdPrefixes.Webhook);
        var secret = WebhookSignature.FormatSecret(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        await grains.GetGrain<IWebhookEndpointGrain>(webhookId).Create(tenantId, new NewWebhook(receiver.Url(path), ["dataset.status_changed"], null), secret);

        // The state change: a dataset of the tenant starts ingesting, which records dataset.status_changed with it.
        var owner = new Caller(tenantId, "usr_owner", "user", ["datasets:write", "datasets:read"], false);
        var datasetId = Ids.New(IdPrefixes.Dataset);
        var dataset = grains.GetGrain<IDatasetGrain>(datasetId);
        await dataset.Create(owner, new NewDataset("Cluster events", null, "document", "open", "fixed", null, "private", []));
        await dataset.Advance(DatasetStatuses.Ingesting);
        var eventId = await Eventually.Until(() => cluster.Database.ScalarAsync<string>(
                $"SELECT event_id FROM outbox_events WHERE subject_id = '{datasetId}' AND type = 'dataset.status_changed'"),
            id => id is not null, TimeSpan.FromSeconds(30), "the event in the outbox");

        // The receiver has refused it at least once: the delivery is pending. Kill the silo whose endpoint grain is delivering it.
        await Eventually.Until(() => Task.FromResult(receiver.At(path).Count), n => n >= 1, TimeSpan.FromSeconds(60), "a first, failed attempt");
        var host = (await grains.GetGrain<IManagementGrain>(0).GetDetailedGrainStatistics())
            .FirstOrDefault(g => g.GrainId.ToString().Contains(webhookId, StringComparison.Ordinal))?.SiloAddress.ToString() ?? "";
        var victim = host.Contains(":" + b.SiloPort.ToString(CultureInfo.InvariantCulture) + ":", StringComparison.Ordinal) ? b : a;
        victim.Kill();
        var failedBefore = receiver.At(path).Count;
        receiver.Release(path);

        var delivered = await Eventually.Until(() => Task.FromResult(receiver.At(path)), r => r.Any(w => w.Answered == 200), TimeSpan.FromSeconds(120),
            "the delivery after the kill");
        Assert.True(failedBefore >= 1);
        Assert.All(delivered, w => Assert.Equal(eventId, w.Id));
        var success = delivered.First(w => w.Answered == 200);
        Assert.Equal(datasetId, success.Data.GetProperty("dataset_id").GetString());
        Assert.Equal("ingesting", success.Data.GetProperty("status").GetString());
        Assert.Equal("draft", success.Data.GetProperty("previous_status").GetString());
        success.VerifyWithLibrary(secret);
        Assert.True(success.SignedByHand(secret));
        Assert.Equal("succeeded", await Eventually.Until(() => cluster.Database.ScalarAsync<string>(
                $"SELECT status FROM webhook_deliveries WHERE webhook_id = '{webhookId}' AND event_id = '{eventId}'"),
            s => s == "succeeded", TimeSpan.FromSeconds(30), "the delivery row to be succeeded"));
        Assert.Equal(1, await cluster.Database.ScalarAsync<long>($"SELECT count(*) FROM webhook_deliveries WHERE webhook_id = '{webhookId}'"));
        await clientHost.StopAsync();
    }
}
