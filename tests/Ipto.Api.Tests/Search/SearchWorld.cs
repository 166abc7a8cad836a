using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Ipto.Api.Tests.Support;
using Ipto.Testing;
using static Ipto.Testing.ApiHttp;

namespace Ipto.Api.Tests.Search;

/// <summary>
/// Test steps for search: a provider with datasets whose text files went through upload, review and ingestion via
/// the public API, and buyers with keys.
/// </summary>
public sealed class SearchWorld(IptoApiFactory api)
{
    public static readonly string[] ShippingTexts =
    [
        "Bills of lading for the Rotterdam route. The colour of each container is recorded before departure.",
        "Marine insurance covers cargo lost at sea. Claims are settled within ninety days.",
        "Court rulings on shipping disputes between carriers and insurers in Hamburg.",
    ];

    public static readonly string[] ShippingNames = ["lading.txt", "insurance.txt", "rulings.txt"];

    public async Task<HttpClient> AdminAsync() =>
        api.WithBearer((await (await api.LoginAsync(IdentityFixture.AdminEmail, IdentityFixture.AdminPassword)).DataAsync()).GetProperty("session_token").GetString()!);

    public async Task<(Account Account, HttpClient Client)> AccountAsync(string tenantName)
    {
        var account = await api.SignupAsync(tenantName: tenantName);
        return (account, api.WithBearer(account.SessionToken));
    }

    public static async Task<string> CreateDatasetAsync(HttpClient owner, string name, string visibility, object? extra = null)
    {
        var body = new Dictionary<string, object?> { ["name"] = name, ["visibility"] = visibility };
        if (extra is not null)
            foreach (var p in JsonSerializer.SerializeToElement(extra).EnumerateObject()) body[p.Name] = p.Value;
        return (await (await owner.PostAsync("/v1/datasets", Body(body))).DataAsync(HttpStatusCode.Created)).GetProperty("dataset_id").GetString()!;
    }

    /// <summary>
    /// Uploads each text as its own object, approves all, waits until they are active; returns the object ids in order.
    /// <paramref name="s3Urls"/>: the presigned URLs point at a real S3 endpoint rather than the in-process Api.
    /// </summary>
    public async Task<string[]> AddActiveTextsAsync(HttpClient owner, HttpClient admin, string datasetId, IReadOnlyList<string> texts, IReadOnlyList<string> names,
        bool s3Urls = false)
    {
        var ids = new string[texts.Count];
        using var store = s3Urls ? new HttpClient() : api.CreateClient();
        for (var i = 0; i < texts.Count; i++)
            ids[i] = (await owner.UploadAsync(store, datasetId, names[i], "text/plain", Encoding.UTF8.GetBytes(texts[i]))).ObjectId;

        foreach (var id in ids)
        {
            await owner.WaitForStatusAsync(id, "ready");
            await admin.ApproveAsync(id);
        }

        foreach (var id in ids) await owner.WaitForStatusAsync(id, "active");
        return ids;
    }

    public static async Task<HttpResponseMessage> SearchAsync(HttpClient client, object body) => await client.PostAsync("/v1/search", Body(body));

    public static async Task<JsonElement> SearchOkAsync(HttpClient client, object body) => await (await SearchAsync(client, body)).DataAsync();

    public static string[] ObjectIds(JsonElement page) =>
        page.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("object_id").GetString()!).Distinct().Order().ToArray();

    public static decimal Charged(JsonElement page) => page.GetProperty("charged_amount").GetDecimal();
}
