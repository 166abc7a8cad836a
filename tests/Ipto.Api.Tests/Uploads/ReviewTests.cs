using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Ipto.Api.Tests.Support;
using Ipto.Grains.ObjectStore;
using Ipto.Testing;
using static Ipto.Testing.ApiHttp;

namespace Ipto.Api.Tests.Uploads;

public sealed class ReviewTests(IdentityFixture api) : IClassFixture<IdentityFixture>
{
    private IptoApiFactory Api => api.Factory;

    private async Task<HttpClient> AdminAsync() =>
        Api.WithBearer((await (await Api.LoginAsync(IdentityFixture.AdminEmail, IdentityFixture.AdminPassword)).DataAsync()).GetProperty("session_token").GetString()!);

    /// <summary>Uploads a text file into a new dataset and waits until it is ready for review.</summary>
    private async Task<(HttpClient Owner, string DatasetId, string ObjectId)> ReadyObjectAsync(string text = "Reviewable text about shipping insurance.")
    {
        var owner = Api.WithBearer((await Api.SignupAsync()).SessionToken);
        var datasetId = (await (await owner.PostAsync("/v1/datasets", Body(new { name = "Review me" }))).DataAsync(HttpStatusCode.Created)).GetProperty("dataset_id").GetString()!;
        using var store = Api.CreateClient();
        var objectId = (await owner.UploadAsync(store, datasetId, "doc.txt", "text/plain", Encoding.UTF8.GetBytes(text))).ObjectId;
        await owner.WaitForStatusAsync(objectId, "ready");
        return (owner, datasetId, objectId);
    }

    [Fact]
    public async Task StagedObjectIsQueuedWithAPreviewAndApprovalMakesItAndItsDatasetActive()
    {
        var (owner, datasetId, objectId) = await ReadyObjectAsync();
        using var admin = await AdminAsync();

        var queue = await (await admin.GetAsync($"/v1/admin/staged-objects?dataset_id={datasetId}")).DataAsync();
        var item = Assert.Single(queue.GetProperty("items").EnumerateArray());
        Assert.Equal(objectId, item.GetProperty("object_id").GetString());
        Assert.Equal("Review me", item.GetProperty("dataset_name").GetString());
        Assert.Equal(1, queue.GetProperty("total").GetInt64());
        var detail = await (await admin.GetAsync($"/v1/admin/staged-objects/{objectId}")).DataAsync();
        Assert.Equal("Reviewable text about shipping insurance.", detail.GetProperty("text_preview").GetString());

        var approve = await admin.PostAsync($"/v1/admin/staged-objects/{objectId}/approve", null);
        var approved = await approve.DataAsync(HttpStatusCode.Accepted);
        Assert.Equal("approved", approved.GetProperty("review_state").GetString());
        var jobId = approved.GetProperty("job_id").GetString();
        var job = await Eventually.Until(async () => await (await owner.GetAsync($"/v1/jobs/{jobId}")).DataAsync(),
            j => j.GetProperty("status").GetString() is "succeeded" or "failed", TimeSpan.FromSeconds(30), "the ingestion job");
        Assert.Equal("succeeded", job.GetProperty("status").GetString());
        var obj = await (await owner.GetAsync($"/v1/objects/{objectId}")).DataAsync();
        Assert.Equal("active", obj.GetProperty("status").GetString());
        Assert.NotEqual(JsonValueKind.Null, obj.GetProperty("reviewed_at").ValueKind);
        var dataset = await (await owner.GetAsync($"/v1/datasets/{datasetId}")).DataAsync();
        Assert.Equal("active", dataset.GetProperty("status").GetString());
        Assert.Equal(1, dataset.GetProperty("counters").GetProperty("active_object_count").GetInt64());
        Assert.Equal(1, dataset.GetProperty("counters").GetProperty("approved_count").GetInt64());
        Assert.Equal(0, dataset.GetProperty("counters").GetProperty("staged_count").GetInt64());

        await (await admin.PostAsync($"/v1/admin/staged-objects/{objectId}/approve", null)).ErrorAsync(HttpStatusCode.Conflict, "invalid_state_transition");
        await (await admin.PostAsync($"/v1/admin/staged-objects/{objectId}/reject", Body(new { reason = "late" }))).ErrorAsync(HttpStatusCode.Conflict, "invalid_state_transition");
    }

    [Fact]
    public async Task RejectionPurgesTheBlobAndDerivedFiles()
    {
        var (owner, datasetId, objectId) = await ReadyObjectAsync();
        using var admin = await AdminAsync();
        var tenantId = (await (await owner.GetAsync($"/v1/objects/{objectId}")).DataAsync()).GetProperty("tenant_id").GetString();

        var rejected = await (await admin.PostAsync($"/v1/admin/review/objects/{tenantId}/{objectId}/reject", Body(new { reason = "copyrighted" }))).DataAsync();

        Assert.Equal("rejected", rejected.GetProperty("review_state").GetString());
        Assert.Equal("copyrighted", rejected.GetProperty("review_reason").GetString());
        var store = Api.Services.GetRequiredService<IObjectStore>();
        Assert.Empty(await store.ListKeysAsync(ObjectKeys.ObjectPrefix(datasetId, objectId), 10));
        var counters = (await (await owner.GetAsync($"/v1/datasets/{datasetId}")).DataAsync()).GetProperty("counters");
        Assert.Equal(1, counters.GetProperty("rejected_count").GetInt64());
        Assert.Equal(0, counters.GetProperty("storage_bytes").GetInt64());
        await (await admin.PostAsync($"/v1/admin/staged-objects/{objectId}/reject", Body(new { reason = "twice" }))).ErrorAsync(HttpStatusCode.Conflict, "invalid_state_transition");
        var listed = await (await owner.GetAsync($"/v1/datasets/{datasetId}/objects?review_state=rejected")).DataAsync();
        Assert.Equal(objectId, Assert.Single(listed.GetProperty("items").EnumerateArray()).GetProperty("object_id").GetString());
    }

    [Fact]
    public async Task OwnerDownloadsThenDeletesAnObjectWhoseBytesArePurged()
    {
        var (owner, datasetId, objectId) = await ReadyObjectAsync("Bytes the owner can fetch.");
        var stranger = Api.WithBearer((await Api.SignupAsync()).SessionToken);

        var download = await (await owner.GetAsync($"/v1/objects/{objectId}/download")).DataAsync();
        using (var storeClient = Api.CreateClient())
        {
            var fetched = await storeClient.GetAsync(download.GetProperty("url").GetString());
            Assert.Equal("Bytes the owner can fetch.", await fetched.Content.ReadAsStringAsync());
            Assert.Equal("doc.txt", fetched.Content.Headers.ContentDisposition?.FileName?.Trim('"'));
        }

        await (await stranger.GetAsync($"/v1/objects/{objectId}/download")).ErrorAsync(HttpStatusCode.NotFound, "not_found");
        await (await stranger.DeleteAsync($"/v1/objects/{objectId}")).ErrorAsync(HttpStatusCode.NotFound, "not_found");

        var deleted = await (await owner.DeleteAsync($"/v1/objects/{objectId}")).DataAsync();
        Assert.Equal("deleted", deleted.GetProperty("status").GetString());
        Assert.NotEqual(JsonValueKind.Null, deleted.GetProperty("deleted_at").ValueKind);
        var store = Api.Services.GetRequiredService<IObjectStore>();
        await Eventually.Until(() => store.ListKeysAsync(ObjectKeys.ObjectPrefix(datasetId, objectId), 10), k => k.Count == 0, TimeSpan.FromSeconds(30), "the purge");
        await (await owner.GetAsync($"/v1/objects/{objectId}/download")).ErrorAsync(HttpStatusCode.Conflict, "invalid_state_transition");
        Assert.Equal("deleted", (await (await owner.DeleteAsync($"/v1/objects/{objectId}")).DataAsync()).GetProperty("status").GetString());
        var counters = (await (await owner.GetAsync($"/v1/datasets/{datasetId}")).DataAsync()).GetProperty("counters");
        Assert.Equal(0, counters.GetProperty("object_count").GetInt64());
        Assert.Equal(0, counters.GetProperty("storage_bytes").GetInt64());
    }

    [Fact]
    public async Task ReviewIsForPlatformAdminsOnly()
    {
        var (owner, _, objectId) = await ReadyObjectAsync();

        await (await owner.GetAsync("/v1/admin/staged-objects")).ErrorAsync(HttpStatusCode.Forbidden, "forbidden");
        await (await owner.PostAsync($"/v1/admin/staged-objects/{objectId}/approve", null)).ErrorAsync(HttpStatusCode.Forbidden, "forbidden");
        await (await Api.ClientFor(null).GetAsync("/v1/admin/staged-objects")).ErrorAsync(HttpStatusCode.Unauthorized, "unauthenticated");
    }

    [Fact]
    public async Task RejectNeedsAReasonAndAliasesCheckTheTenant()
    {
        var (_, _, objectId) = await ReadyObjectAsync();
        using var admin = await AdminAsync();

        await (await admin.PostAsync($"/v1/admin/staged-objects/{objectId}/reject", Body(new { }))).ErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");
        await (await admin.GetAsync($"/v1/admin/review/objects/tnt_01jq3n5a7v8x9y0z1a2b3c4d5e/{objectId}")).ErrorAsync(HttpStatusCode.NotFound, "not_found");
        await (await admin.GetAsync("/v1/admin/staged-objects/obj_01jq3n5a7v8x9y0z1a2b3c4d5e")).ErrorAsync(HttpStatusCode.NotFound, "not_found");
        await (await admin.GetAsync("/v1/admin/review/queue?review_state=maybe")).ErrorAsync(HttpStatusCode.BadRequest, "invalid_request");
    }
}
