using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Ipto.Api.Tests.Support;
using Ipto.Grains.ObjectStore;
using Ipto.Testing;

namespace Ipto.Api.Tests.Uploads;

public sealed class ExpiryTests
{
    [Fact]
    public async Task UnreviewedObjectExpiresAfterTheStagedTtlAndItsBlobIsGone()
    {
        using var dir = new TempDir();
        var settings = new Dictionary<string, string?>(IdentityFixture.Settings)
        {
            ["Ipto:Review:StagedTtl"] = "00:00:03",
            ["Ipto:Reminders:MinimumPeriod"] = "00:00:01",
        };
        await using var api = new IptoApiFactory(dir.Path, settings, testCredentials: false);
        using var owner = api.WithBearer((await api.SignupAsync()).SessionToken);
        var datasetId = (await (await owner.PostAsync("/v1/datasets", ApiHttp.Json("{\"name\":\"Waiting\"}"))).DataAsync(HttpStatusCode.Created)).GetProperty("dataset_id").GetString()!;
        using var store = api.CreateClient();
        var completed = (await owner.UploadAsync(store, datasetId, "late.txt", "text/plain", Encoding.UTF8.GetBytes("nobody will review this"))).Completed;
        var objectId = completed.GetProperty("object_id").GetString()!;
        var expiresAt = DateTimeOffset.Parse(completed.GetProperty("review_expires_at").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(expiresAt - DateTimeOffset.UtcNow, TimeSpan.Zero, TimeSpan.FromSeconds(4));

        var expired = await Eventually.Until(async () => await (await owner.GetAsync($"/v1/objects/{objectId}")).DataAsync(),
            o => o.GetProperty("review_state").GetString() == "expired", TimeSpan.FromSeconds(60), "the object to expire");

        Assert.Equal("expired", expired.GetProperty("status").GetString());
        Assert.True(DateTimeOffset.UtcNow >= expiresAt);
        Assert.Empty(await api.Services.GetRequiredService<IObjectStore>().ListKeysAsync(ObjectKeys.ObjectPrefix(datasetId, objectId), 10));
        var counters = (await (await owner.GetAsync($"/v1/datasets/{datasetId}")).DataAsync()).GetProperty("counters");
        Assert.Equal(0, counters.GetProperty("staged_count").GetInt64());
        Assert.Equal(0, counters.GetProperty("storage_bytes").GetInt64());
    }
}
