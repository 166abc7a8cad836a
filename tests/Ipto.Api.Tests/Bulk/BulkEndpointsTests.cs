using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Ipto.Api.Tests.Support;
using Ipto.Common;
using Ipto.Testing;
using static Ipto.Testing.ApiHttp;

namespace Ipto.Api.Tests.Bulk;

/// <summary>
/// The bulk endpoints of SPEC §13: <c>POST /v1/uploads/batch</c>, <c>POST /v1/datasets/bulk-update</c> (each item answered
/// as its single call would be) and <c>POST /v1/objects/batch-delete</c> (a job with a result per id).
/// </summary>
public sealed class BulkEndpointsTests(IdentityFixture api) : IClassFixture<IdentityFixture>
{
    private IptoApiFactory Api => api.Factory;

    private async Task<(HttpClient Owner, string DatasetId)> DatasetAsync(string name = "Bulk")
    {
        var owner = Api.WithBearer((await Api.SignupAsync()).SessionToken);
        return (owner, await NewDatasetAsync(owner, name));
    }

    private static async Task<string> NewDatasetAsync(HttpClient owner, string name) =>
        (await (await owner.PostAsync("/v1/datasets", Body(new { name }))).DataAsync(HttpStatusCode.Created)).GetProperty("dataset_id").GetString()!;

    private static object Upload(string datasetId, int i) => new { dataset_id = datasetId, filename = $"file-{i}.txt", content_type = "text/plain", size_bytes = 10 + i };

    private static async Task<JsonElement[]> ItemsAsync(HttpResponseMessage response)
    {
        var data = await response.DataAsync();
        return data.GetProperty("items").EnumerateArray().ToArray();
    }

    /// <summary>A replay's data (its envelope keeps the first answer's request id, so it is not the header's).</summary>
    private static async Task<JsonElement> ReplayedDataAsync(HttpResponseMessage response, HttpStatusCode expected = HttpStatusCode.OK)
    {
        Assert.Equal(expected, response.StatusCode);
        Assert.Equal("true", response.Headers.GetValues("Idempotency-Replayed").Single());
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("data");
    }

    private static HttpRequestMessage Post(string path, string json, string? idempotencyKey = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = Json(json) };
        if (idempotencyKey is not null) request.Headers.Add("Idempotency-Key", idempotencyKey);
        return request;
    }

    private static async Task<JsonElement> JobAsync(HttpClient owner, string jobId) =>
        await Eventually.Until(async () => await (await owner.GetAsync($"/v1/jobs/{jobId}")).DataAsync(),
            j => j.GetProperty("status").GetString() is "succeeded" or "failed", TimeSpan.FromSeconds(120), $"job {jobId}");

    /// <summary>Object ids of <paramref name="count"/> fresh uploads (objects pending upload), made through the batch endpoint.</summary>
    private static async Task<List<string>> ObjectsAsync(HttpClient owner, string datasetId, int count)
    {
        var ids = new List<string>();
        for (var start = 0; start < count; start += 100)
        {
            var batch = Enumerable.Range(start, Math.Min(100, count - start)).Select(i => Upload(datasetId, i)).ToArray();
            var items = await ItemsAsync(await owner.PostAsync("/v1/uploads/batch", Body(new { uploads = batch })));
            Assert.All(items, i => Assert.Equal(201, i.GetProperty("status").GetInt32()));
            ids.AddRange(items.Select(i => i.GetProperty("data").GetProperty("object_id").GetString()!));
        }

        return ids;
    }

    [Fact]
    public async Task UploadBatchOf100With3InvalidItemsCreates97UploadsWithPresignedUrlsAnd3ItemErrors()
    {
        var (owner, datasetId) = await DatasetAsync();
        var (stranger, foreignDataset) = await DatasetAsync("Someone else's");
        var uploads = Enumerable.Range(0, 100).Select(i => JsonSerializer.SerializeToNode(Upload(datasetId, i))!).ToArray();
        uploads[7]!.AsObject().Remove("filename");                                    // 422 naming filename
        uploads[42]!["dataset_id"] = foreignDataset;                                  // another tenant's dataset: 404
        uploads[99]!["size_bytes"] = "12";                                            // a number sent as a string: 422 naming size_bytes
        var json = new System.Text.Json.Nodes.JsonObject { ["uploads"] = new System.Text.Json.Nodes.JsonArray(uploads) }.ToJsonString();

        var response = await owner.PostAsync("/v1/uploads/batch", Json(json));

        var items = await ItemsAsync(response);
        Assert.Equal(Enumerable.Range(0, 100), items.Select(i => i.GetProperty("index").GetInt32()));
        int[] invalid = [7, 42, 99];
        var created = items.Where(i => !invalid.Contains(i.GetProperty("index").GetInt32())).ToArray();
        Assert.Equal(97, created.Length);
        foreach (var item in created)
        {
            Assert.Equal(201, item.GetProperty("status").GetInt32());
            Assert.False(item.TryGetProperty("error", out _));
            var data = item.GetProperty("data");
            Assert.Equal("single", data.GetProperty("strategy").GetString());
            Assert.Equal("pending", data.GetProperty("status").GetString());
            Assert.StartsWith("http://localhost/", data.GetProperty("upload_url").GetString());
            Assert.Equal(datasetId, data.GetProperty("dataset_id").GetString());
            Assert.Equal(10 + item.GetProperty("index").GetInt32(), long.Parse(data.GetProperty("required_headers").GetProperty("Content-Length").GetString()!,
                System.Globalization.CultureInfo.InvariantCulture));
        }

        Assert.Equal(97, created.Select(i => i.GetProperty("data").GetProperty("upload_id").GetString()).Distinct().Count());
        Assert.Equal(97, created.Select(i => i.GetProperty("data").GetProperty("object_id").GetString()).Distinct().Count());

        // Each failed item carries what its single call answers: the same status, code and details.
        foreach (var index in invalid)
        {
            var item = items[index];
            Assert.False(item.TryGetProperty("data", out _));
            using var single = await owner.PostAsync("/v1/uploads", Json(uploads[index]!.ToJsonString()));
            var singleBody = JsonDocument.Parse(await single.Content.ReadAsStringAsync()).RootElement.GetProperty("error");
            Assert.Equal((int)single.StatusCode, item.GetProperty("status").GetInt32());
            Assert.Equal(singleBody.GetRawText(), item.GetProperty("error").GetRawText());
        }

        Assert.Equal(422, items[7].GetProperty("status").GetInt32());
        Assert.Equal("filename", items[7].GetProperty("error").GetProperty("details")[0].GetProperty("field").GetString());
        Assert.Equal(404, items[42].GetProperty("status").GetInt32());
        Assert.Equal("not_found", items[42].GetProperty("error").GetProperty("code").GetString());
        Assert.Equal(422, items[99].GetProperty("status").GetInt32());
        Assert.Equal("size_bytes", items[99].GetProperty("error").GetProperty("details")[0].GetProperty("field").GetString());

        // The item's data is what POST /v1/uploads answers, field for field.
        var one = await (await owner.PostAsync("/v1/uploads", Body(Upload(datasetId, 1000)))).DataAsync(HttpStatusCode.Created);
        Assert.Equal(one.EnumerateObject().Select(p => p.Name), created[0].GetProperty("data").EnumerateObject().Select(p => p.Name));

        // 97 objects exist (plus the single one), and a batch's presigned URL takes the bytes and the upload completes.
        var dataset = await (await owner.GetAsync($"/v1/datasets/{datasetId}")).DataAsync();
        Assert.Equal(98, dataset.GetProperty("counters").GetProperty("object_count").GetInt64());
        var first = created[0].GetProperty("data");
        using var store = Api.CreateClient();
        var bytes = Encoding.UTF8.GetBytes(new string('a', 10 + created[0].GetProperty("index").GetInt32()));
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("text/plain");
        Assert.Equal(HttpStatusCode.OK, (await store.PutAsync(first.GetProperty("upload_url").GetString(), content)).StatusCode);
        var completed = await (await owner.PostAsync($"/v1/uploads/{first.GetProperty("upload_id").GetString()}/complete", null)).DataAsync();
        Assert.Equal("staged", completed.GetProperty("review_state").GetString());
        // The other tenant's dataset got nothing.
        Assert.Equal(0, (await (await stranger.GetAsync($"/v1/datasets/{foreignDataset}")).DataAsync()).GetProperty("counters").GetProperty("object_count").GetInt64());
    }

    [Theory]
    [InlineData("/v1/uploads/batch", "uploads", 100)]
    [InlineData("/v1/datasets/bulk-update", "updates", 100)]
    [InlineData("/v1/objects/batch-delete", "object_ids", 1000)]
    public async Task EnvelopeErrorsNameTheListField(string path, string field, int max)
    {
        var (owner, datasetId) = await DatasetAsync();
        object Item(int i) => field switch
        {
            "uploads" => Upload(datasetId, i),
            "updates" => new { dataset_id = datasetId, description = $"d{i}" },
            _ => Ids.New(IdPrefixes.Object),
        };

        async Task ExpectField(string json, string expectedField)
        {
            var error = await (await owner.PostAsync(path, Json(json))).ErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");
            Assert.Equal(expectedField, Assert.Single(error.GetProperty("details").EnumerateArray()).GetProperty("field").GetString());
        }

        await ExpectField("{}", field);                                                                    // missing
        await ExpectField($$"""{"{{field}}":null}""", field);                                              // null
        await ExpectField($$"""{"{{field}}":[]}""", field);                                                // empty
        await ExpectField($$"""{"{{field}}":"not a list"}""", field);                                      // not an array
        await ExpectField("{\"" + field + "\":{\"a\":1}}", field);                                          // an object
        await ExpectField(JsonSerializer.Serialize(new Dictionary<string, object> { [field] = Enumerable.Range(0, max + 1).Select(Item).ToArray() }), field);
        await (await owner.PostAsync(path, Json("[]"))).ErrorAsync(HttpStatusCode.BadRequest, "invalid_request");       // body not an object
        await (await owner.PostAsync(path, Json("{\"" + field + "\": ["))).ErrorAsync(HttpStatusCode.BadRequest, "invalid_request"); // malformed
        await (await owner.PostAsync(path, Json(""))).ErrorAsync(HttpStatusCode.BadRequest, "invalid_request");         // no body
        await (await owner.PostAsync(path, new StringContent("{}", Encoding.UTF8, "text/plain"))).ErrorAsync(HttpStatusCode.UnsupportedMediaType, "unsupported_media_type");

        // The largest list is accepted.
        var full = JsonSerializer.Serialize(new Dictionary<string, object> { [field] = Enumerable.Range(0, max).Select(Item).ToArray() });
        var ok = await owner.PostAsync(path, Json(full));
        Assert.True(ok.IsSuccessStatusCode, $"{(int)ok.StatusCode}: {await ok.Content.ReadAsStringAsync()}");
    }

    [Fact]
    public async Task BatchDeleteRefusesBadIdItemsAndRepeatedIds()
    {
        var (owner, _) = await DatasetAsync();
        var id = Ids.New(IdPrefixes.Object);

        var wrongType = await (await owner.PostAsync("/v1/objects/batch-delete", Json($$"""{"object_ids":["{{id}}", 5]}"""))).ErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");
        Assert.Equal("object_ids[1]", wrongType.GetProperty("details")[0].GetProperty("field").GetString());
        var blank = await (await owner.PostAsync("/v1/objects/batch-delete", Json($$"""{"object_ids":["{{id}}", null, ""]}"""))).ErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");
        Assert.Equal(["object_ids[1]", "object_ids[2]"], blank.GetProperty("details").EnumerateArray().Select(d => d.GetProperty("field").GetString()));
        var repeated = await (await owner.PostAsync("/v1/objects/batch-delete", Body(new { object_ids = new[] { id, "obj_x", id } }))).ErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");
        Assert.Equal("object_ids[2]", Assert.Single(repeated.GetProperty("details").EnumerateArray()).GetProperty("field").GetString());
    }

    [Fact]
    public async Task ItemsThatAreNotObjectsOrHaveWrongTypesFailOnlyThemselves()
    {
        var (owner, datasetId) = await DatasetAsync();

        var json = $$"""{"uploads":[{{JsonSerializer.Serialize(Upload(datasetId, 0))}}, "text", null, [1], {"dataset_id":"dset_x","filename":"a.txt","content_type":"text/plain","size_bytes":1}, {"dataset_id":"{{Ids.New(IdPrefixes.Dataset)}}","filename":"a.txt","content_type":"text/plain","size_bytes":1}]}""";
        var items = await ItemsAsync(await owner.PostAsync("/v1/uploads/batch", Json(json)));

        Assert.Equal([201, 400, 400, 400, 422, 404], items.Select(i => i.GetProperty("status").GetInt32()));
        Assert.All(items.Skip(1).Take(3), i => Assert.Equal("invalid_request", i.GetProperty("error").GetProperty("code").GetString()));

        var updates = $$"""{"updates":[{"dataset_id":"{{datasetId}}","name":"Renamed"}, {"dataset_id":"{{datasetId}}","tags":"not a list"}, {"name":"no id"}, 7]}""";
        var updated = await ItemsAsync(await owner.PostAsync("/v1/datasets/bulk-update", Json(updates)));
        Assert.Equal([200, 422, 422, 400], updated.Select(i => i.GetProperty("status").GetInt32()));
        Assert.Equal("tags", updated[1].GetProperty("error").GetProperty("details")[0].GetProperty("field").GetString());
        Assert.Equal("dataset_id", updated[2].GetProperty("error").GetProperty("details")[0].GetProperty("field").GetString());
    }

    [Fact]
    public async Task BulkUpdateAnswersEachItemAsItsPatchAndChangesOnlyOwnDatasets()
    {
        var (owner, first) = await DatasetAsync();
        var second = await NewDatasetAsync(owner, "Second");
        var (stranger, foreign) = await DatasetAsync("Not yours");

        var response = await owner.PostAsync("/v1/datasets/bulk-update", Body(new
        {
            updates = new object[]
            {
                new { dataset_id = first, name = "First, renamed", pricing = new { price_per_download = 0.2 }, tags = new[] { "a", "a", "b" } },
                new { dataset_id = second, visibility = "listed" },
                new { dataset_id = foreign, name = "Taken over" },                // another tenant's: 404
                new { dataset_id = Ids.New(IdPrefixes.Dataset), name = "Ghost" }, // unknown: 404
                new { dataset_id = "not-an-id", name = "Bad id" },                // as PATCH /v1/datasets/not-an-id: 404
                new { dataset_id = second, name = new string('n', 201), visibility = "everyone" }, // 422 listing both fields
                new { dataset_id = second, status = "paused" },                   // draft → paused: 409
            },
        }));

        var items = await ItemsAsync(response);
        Assert.Equal([200, 200, 404, 404, 404, 422, 409], items.Select(i => i.GetProperty("status").GetInt32()));
        Assert.Equal("First, renamed", items[0].GetProperty("data").GetProperty("name").GetString());
        Assert.Equal(0.2m, items[0].GetProperty("data").GetProperty("pricing").GetProperty("price_per_download").GetDecimal());
        Assert.Equal(["a", "b"], items[0].GetProperty("data").GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal("listed", items[1].GetProperty("data").GetProperty("visibility").GetString());
        Assert.All(items.Skip(2).Take(3), i => Assert.Equal("not_found", i.GetProperty("error").GetProperty("code").GetString()));
        Assert.Equal(["name", "visibility"], items[5].GetProperty("error").GetProperty("details").EnumerateArray().Select(d => d.GetProperty("field").GetString()).Order());
        Assert.Equal("invalid_state_transition", items[6].GetProperty("error").GetProperty("code").GetString());

        // Each answer is the single PATCH's: the same data as a GET, the same error as the single call.
        var fetched = await (await owner.GetAsync($"/v1/datasets/{first}")).DataAsync();
        Assert.Equal(fetched.GetRawText(), items[0].GetProperty("data").GetRawText());
        var single = await (await owner.PatchAsync($"/v1/datasets/{second}", Body(new { status = "paused" }))).ErrorAsync(HttpStatusCode.Conflict, "invalid_state_transition");
        Assert.Equal(single.GetRawText(), items[6].GetProperty("error").GetRawText());
        Assert.Equal("listed", (await (await owner.GetAsync($"/v1/datasets/{second}")).DataAsync()).GetProperty("visibility").GetString());
        Assert.Equal("Not yours", (await (await stranger.GetAsync($"/v1/datasets/{foreign}")).DataAsync()).GetProperty("name").GetString());
    }

    [Fact]
    public async Task BatchDeleteOf1000IdsDeletesOnlyOwnObjectsAndReportsEveryId()
    {
        var (owner, datasetId) = await DatasetAsync();
        var (stranger, foreignDataset) = await DatasetAsync("Stranger's");
        var own = await ObjectsAsync(owner, datasetId, 200);
        var foreign = await ObjectsAsync(stranger, foreignDataset, 100);
        var unknown = Enumerable.Range(0, 690).Select(_ => Ids.New(IdPrefixes.Object)).ToList();
        string[] malformed = [.. Enumerable.Range(0, 10).Select(i => $"not-an-object-{i}")];
        // Interleaved, so that the answer's order is checked against the request's.
        var random = new Random(7);
        var ids = own.Concat(foreign).Concat(unknown).Concat(malformed).OrderBy(_ => random.Next()).ToArray();
        Assert.Equal(1000, ids.Length);

        var response = await owner.PostAsync("/v1/objects/batch-delete", Body(new { object_ids = ids }));

        var accepted = await response.DataAsync(HttpStatusCode.Accepted);
        var jobId = accepted.GetProperty("job_id").GetString()!;
        Assert.Equal($"/v1/jobs/{jobId}", response.Headers.Location?.OriginalString);
        Assert.Equal(1000, accepted.GetProperty("object_count").GetInt32());
        var job = await JobAsync(owner, jobId);
        Assert.Equal("succeeded", job.GetProperty("status").GetString());
        Assert.Equal("bulk_object_delete", job.GetProperty("type").GetString());
        Assert.Equal(1000, job.GetProperty("progress").GetProperty("total").GetInt64());
        var result = job.GetProperty("result");
        var items = result.GetProperty("items").EnumerateArray().ToArray();
        Assert.Equal(ids, items.Select(i => i.GetProperty("object_id").GetString()));
        var ownSet = own.ToHashSet();
        foreach (var item in items)
        {
            var expected = ownSet.Contains(item.GetProperty("object_id").GetString()!) ? "deleted" : "not_found";
            Assert.Equal(expected, item.GetProperty("status").GetString());
            Assert.False(item.TryGetProperty("error", out _));
        }

        Assert.Equal(200, result.GetProperty("deleted").GetInt32());
        Assert.Equal(800, result.GetProperty("not_found").GetInt32());
        Assert.Equal(0, result.GetProperty("errors").GetInt32());

        // Afterwards: every own object is a tombstone, as DELETE /v1/objects/{id} leaves it; the stranger's are untouched.
        foreach (var id in own.Take(20).Concat(own.TakeLast(5)))
        {
            var obj = await (await owner.GetAsync($"/v1/objects/{id}")).DataAsync();
            Assert.Equal("deleted", obj.GetProperty("status").GetString());
            Assert.False(obj.GetProperty("deleted_at").ValueKind == JsonValueKind.Null);
        }

        var listed = await (await owner.GetAsync($"/v1/datasets/{datasetId}/objects?status=deleted&limit=100")).DataAsync();
        Assert.Equal(100, listed.GetProperty("items").GetArrayLength());
        Assert.Equal(0, (await (await owner.GetAsync($"/v1/datasets/{datasetId}")).DataAsync()).GetProperty("counters").GetProperty("object_count").GetInt64());
        foreach (var id in foreign.Take(10))
            Assert.Equal("pending_upload", (await (await stranger.GetAsync($"/v1/objects/{id}")).DataAsync()).GetProperty("status").GetString());
        Assert.Equal(100, (await (await stranger.GetAsync($"/v1/datasets/{foreignDataset}")).DataAsync()).GetProperty("counters").GetProperty("object_count").GetInt64());
        // Another tenant cannot read the job.
        await (await stranger.GetAsync($"/v1/jobs/{jobId}")).ErrorAsync(HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task BatchDeleteOfAnAlreadyDeletedObjectReportsDeletedAsTheSingleDeleteAnswers()
    {
        var (owner, datasetId) = await DatasetAsync();
        var ids = await ObjectsAsync(owner, datasetId, 2);
        Assert.Equal("deleted", (await (await owner.DeleteAsync($"/v1/objects/{ids[0]}")).DataAsync()).GetProperty("status").GetString());

        var jobId = (await (await owner.PostAsync("/v1/objects/batch-delete", Body(new { object_ids = ids }))).DataAsync(HttpStatusCode.Accepted)).GetProperty("job_id").GetString()!;

        var items = (await JobAsync(owner, jobId)).GetProperty("result").GetProperty("items").EnumerateArray().ToArray();
        Assert.Equal(["deleted", "deleted"], items.Select(i => i.GetProperty("status").GetString()));
        // Its bytes are purged by the object's own purge job, as after DELETE /v1/objects/{id}.
        var obj = await (await owner.GetAsync($"/v1/objects/{ids[1]}")).DataAsync();
        Assert.Equal("deleted", obj.GetProperty("status").GetString());
    }

    [Fact]
    public async Task EachEndpointNeedsItsScopeAndACredential()
    {
        var (owner, datasetId) = await DatasetAsync();
        var (_, reader) = await owner.CreateKeyAsync("datasets:read");
        using var readerClient = Api.WithApiKey(reader);
        var uploads = Body(new { uploads = new[] { Upload(datasetId, 0) } });
        var updates = Body(new { updates = new[] { new { dataset_id = datasetId, name = "x" } } });
        var deletes = Body(new { object_ids = new[] { Ids.New(IdPrefixes.Object) } });

        var scope = await (await readerClient.PostAsync("/v1/uploads/batch", uploads)).ErrorAsync(HttpStatusCode.Forbidden, "insufficient_scope");
        Assert.Contains("objects:write", scope.GetProperty("message").GetString());
        Assert.Contains("datasets:write", (await (await readerClient.PostAsync("/v1/datasets/bulk-update", updates)).ErrorAsync(HttpStatusCode.Forbidden, "insufficient_scope")).GetProperty("message").GetString());
        Assert.Contains("objects:write", (await (await readerClient.PostAsync("/v1/objects/batch-delete", deletes)).ErrorAsync(HttpStatusCode.Forbidden, "insufficient_scope")).GetProperty("message").GetString());

        using var nobody = Api.ClientFor(null);
        using var badToken = Api.WithBearer("sess_" + new string('x', 43));
        foreach (var client in new[] { nobody, badToken })
        {
            await (await client.PostAsync("/v1/uploads/batch", uploads)).ErrorAsync(HttpStatusCode.Unauthorized, "unauthenticated");
            await (await client.PostAsync("/v1/datasets/bulk-update", updates)).ErrorAsync(HttpStatusCode.Unauthorized, "unauthenticated");
            await (await client.PostAsync("/v1/objects/batch-delete", deletes)).ErrorAsync(HttpStatusCode.Unauthorized, "unauthenticated");
        }

        // The name was not changed by the refused calls; a key with the scopes may.
        Assert.Equal("Bulk", (await (await owner.GetAsync($"/v1/datasets/{datasetId}")).DataAsync()).GetProperty("name").GetString());
        var (_, writer) = await owner.CreateKeyAsync("objects:write", "datasets:write");
        using var writerClient = Api.WithApiKey(writer);
        Assert.Equal(201, (await ItemsAsync(await writerClient.PostAsync("/v1/uploads/batch", uploads)))[0].GetProperty("status").GetInt32());
        Assert.Equal(200, (await ItemsAsync(await writerClient.PostAsync("/v1/datasets/bulk-update", updates)))[0].GetProperty("status").GetInt32());
        await (await writerClient.PostAsync("/v1/objects/batch-delete", deletes)).DataAsync(HttpStatusCode.Accepted);
    }

    [Fact]
    public async Task AnIdempotentRetryOfEachBatchReplaysTheFirstAnswerAndRunsNothingTwice()
    {
        var (owner, datasetId) = await DatasetAsync();
        var uploads = JsonSerializer.Serialize(new { uploads = Enumerable.Range(0, 5).Select(i => Upload(datasetId, i)).ToArray() });

        var first = await owner.SendAsync(Post("/v1/uploads/batch", uploads, "batch-1"));
        var retry = await owner.SendAsync(Post("/v1/uploads/batch", uploads, "batch-1"));

        var firstItems = await ItemsAsync(first);
        Assert.Equal(JsonDocument.Parse(await first.Content.ReadAsStringAsync()).RootElement.GetProperty("data").GetRawText(),
            (await ReplayedDataAsync(retry)).GetRawText());
        Assert.Equal(5, (await (await owner.GetAsync($"/v1/datasets/{datasetId}")).DataAsync()).GetProperty("counters").GetProperty("object_count").GetInt64());
        await (await owner.SendAsync(Post("/v1/uploads/batch", uploads.Replace("file-0", "file-x"), "batch-1"))).ErrorAsync(HttpStatusCode.Conflict, "idempotency_key_reused");

        // Another key is another batch: new ids.
        var other = await ItemsAsync(await owner.SendAsync(Post("/v1/uploads/batch", uploads, "batch-2")));
        Assert.Empty(other.Select(i => i.GetProperty("data").GetProperty("upload_id").GetString())
            .Intersect(firstItems.Select(i => i.GetProperty("data").GetProperty("upload_id").GetString())));

        var updates = JsonSerializer.Serialize(new { updates = new[] { new { dataset_id = datasetId, name = "Once" } } });
        var updated = await ItemsAsync(await owner.SendAsync(Post("/v1/datasets/bulk-update", updates, "update-1")));
        var renamed = await (await owner.PatchAsync($"/v1/datasets/{datasetId}", Body(new { name = "Later" }))).DataAsync();
        var replayed = await owner.SendAsync(Post("/v1/datasets/bulk-update", updates, "update-1"));
        Assert.Equal(updated[0].GetRawText(), (await ReplayedDataAsync(replayed)).GetProperty("items")[0].GetRawText());
        // The replay ran nothing: the later rename stands.
        Assert.Equal(renamed.GetProperty("updated_at").GetString(),
            (await (await owner.GetAsync($"/v1/datasets/{datasetId}")).DataAsync()).GetProperty("updated_at").GetString());
        Assert.Equal("Later", (await (await owner.GetAsync($"/v1/datasets/{datasetId}")).DataAsync()).GetProperty("name").GetString());

        var deletes = JsonSerializer.Serialize(new { object_ids = firstItems.Select(i => i.GetProperty("data").GetProperty("object_id").GetString()).ToArray() });
        var deleteResponse = await owner.SendAsync(Post("/v1/objects/batch-delete", deletes, "delete-1"));
        var job = (await deleteResponse.DataAsync(HttpStatusCode.Accepted)).GetProperty("job_id").GetString();
        var again = await owner.SendAsync(Post("/v1/objects/batch-delete", deletes, "delete-1"));
        Assert.Equal(job, (await ReplayedDataAsync(again, HttpStatusCode.Accepted)).GetProperty("job_id").GetString());
        Assert.Equal($"/v1/jobs/{job}", again.Headers.Location?.OriginalString);
        Assert.Equal("succeeded", (await JobAsync(owner, job!)).GetProperty("status").GetString());
    }
}
