using System.Net;
using System.Text.Json;
using Ipto.Api.Tests.Support;
using Ipto.Grains.ObjectStore;
using Ipto.Testing;
using static Ipto.Testing.ApiHttp;

namespace Ipto.Api.Tests.Datasets;

public sealed class DatasetDeletionTests(IdentityFixture api) : IClassFixture<IdentityFixture>
{
    private IptoApiFactory Api => api.Factory;

    [Fact]
    public async Task DeleteRunsAJobThatPurgesEveryBlobAndLeavesATombstone()
    {
        var owner = Api.WithBearer((await Api.SignupAsync()).SessionToken);
        var id = (await (await owner.PostAsync("/v1/datasets", Body(new { name = "Doomed", visibility = "listed" }))).DataAsync(HttpStatusCode.Created))
            .GetProperty("dataset_id").GetString()!;
        var store = Api.Services.GetRequiredService<IObjectStore>();
        var keys = new[] { "raw/obj_1.pdf", "derived/obj_1/chunks.jsonl", "derived/obj_2/chunks.jsonl" }.Select(k => ObjectKeys.DatasetPrefix(id) + k).ToArray();
        foreach (var key in keys) await store.WriteAsync(key, new MemoryStream([1, 2, 3]), null);
        var neighbour = ObjectKeys.DatasetPrefix("dset_01jq3n5a7v8x9y0z1a2b3c4d5e") + "keep.bin";
        await store.WriteAsync(neighbour, new MemoryStream([9]), null);

        var response = await owner.DeleteAsync($"/v1/datasets/{id}");

        var accepted = await response.DataAsync(HttpStatusCode.Accepted);
        var jobId = accepted.GetProperty("job_id").GetString()!;
        Assert.Equal($"/v1/jobs/{jobId}", response.Headers.Location?.OriginalString);
        var job = await Eventually.Until(async () => await (await owner.GetAsync($"/v1/jobs/{jobId}")).DataAsync(),
            j => j.GetProperty("status").GetString() is "succeeded" or "failed", TimeSpan.FromSeconds(30), "the deletion job");
        Assert.Equal("succeeded", job.GetProperty("status").GetString());
        Assert.Equal("dataset_deletion", job.GetProperty("type").GetString());
        foreach (var key in keys) Assert.Null(await store.HeadAsync(key));
        Assert.NotNull(await store.HeadAsync(neighbour));

        var tombstone = await (await owner.GetAsync($"/v1/datasets/{id}")).DataAsync();
        Assert.Equal("deleted", tombstone.GetProperty("status").GetString());
        Assert.Contains(id, (await (await owner.GetAsync("/v1/datasets?status=deleted")).DataAsync()).ToString());
        await (await owner.PatchAsync($"/v1/datasets/{id}", Body(new { name = "Back" }))).ErrorAsync(HttpStatusCode.Conflict, "invalid_state_transition");
        await (await owner.DeleteAsync($"/v1/datasets/{id}")).ErrorAsync(HttpStatusCode.Conflict, "invalid_state_transition");
    }

    [Fact]
    public async Task DeletingADatasetTombstonesItsObjects()
    {
        var owner = Api.WithBearer((await Api.SignupAsync()).SessionToken);
        var id = (await (await owner.PostAsync("/v1/datasets", Body(new { name = "With objects" }))).DataAsync(HttpStatusCode.Created)).GetProperty("dataset_id").GetString()!;
        using var store = Api.CreateClient();
        var objectId = (await owner.UploadAsync(store, id, "o.txt", "text/plain", System.Text.Encoding.UTF8.GetBytes("an object inside a doomed dataset"))).ObjectId;
        await owner.WaitForStatusAsync(objectId, "ready");

        var jobId = (await (await owner.DeleteAsync($"/v1/datasets/{id}")).DataAsync(HttpStatusCode.Accepted)).GetProperty("job_id").GetString();
        await Eventually.Until(async () => (await (await owner.GetAsync($"/v1/jobs/{jobId}")).DataAsync()).GetProperty("status").GetString(), s => s == "succeeded", TimeSpan.FromSeconds(30));

        Assert.Equal("deleted", (await (await owner.GetAsync($"/v1/objects/{objectId}")).DataAsync()).GetProperty("status").GetString());
        Assert.Empty(await Api.Services.GetRequiredService<IObjectStore>().ListKeysAsync(ObjectKeys.DatasetPrefix(id), 10));
        Assert.Equal(0, (await (await owner.GetAsync($"/v1/datasets/{id}")).DataAsync()).GetProperty("counters").GetProperty("object_count").GetInt64());
        // Deleting an object its dataset's deletion already tombstoned is a no-op, not a job without an id (found by the fuzzer).
        var again = await (await owner.DeleteAsync($"/v1/objects/{objectId}")).DataAsync();
        Assert.Equal("deleted", again.GetProperty("status").GetString());
    }

    [Fact]
    public async Task AnotherTenantCannotDeleteOrSeeTheJob()
    {
        var owner = Api.WithBearer((await Api.SignupAsync()).SessionToken);
        var stranger = Api.WithBearer((await Api.SignupAsync()).SessionToken);
        var id = (await (await owner.PostAsync("/v1/datasets", Body(new { name = "Mine" }))).DataAsync(HttpStatusCode.Created)).GetProperty("dataset_id").GetString();

        await (await stranger.DeleteAsync($"/v1/datasets/{id}")).ErrorAsync(HttpStatusCode.NotFound, "not_found");
        var jobId = (await (await owner.DeleteAsync($"/v1/datasets/{id}")).DataAsync(HttpStatusCode.Accepted)).GetProperty("job_id").GetString();

        await (await stranger.GetAsync($"/v1/jobs/{jobId}")).ErrorAsync(HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task DeletingNeedsDatasetsWrite()
    {
        var owner = Api.WithBearer((await Api.SignupAsync()).SessionToken);
        var id = (await (await owner.PostAsync("/v1/datasets", Body(new { name = "Kept" }))).DataAsync(HttpStatusCode.Created)).GetProperty("dataset_id").GetString();
        var (_, key) = await owner.CreateKeyAsync("datasets:read");
        using var reader = Api.WithApiKey(key);

        await (await reader.DeleteAsync($"/v1/datasets/{id}")).ErrorAsync(HttpStatusCode.Forbidden, "insufficient_scope");
        await (await Api.ClientFor(null).DeleteAsync($"/v1/datasets/{id}")).ErrorAsync(HttpStatusCode.Unauthorized, "unauthenticated");
    }
}
