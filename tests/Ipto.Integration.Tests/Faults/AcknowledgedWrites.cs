using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Ipto.Integration.Tests.Faults;

/// <summary>
/// Reads back, through one Api node, everything the load was told had succeeded: each resource by id and in its list,
/// exactly once (a second resource under one Idempotency-Key would show up as a duplicate name).
/// </summary>
public sealed class AcknowledgedWrites(ApiNode node, string sessionToken)
{
    public async Task<List<string>> VerifyAsync(FaultLoad load)
    {
        var problems = new List<string>();

        var datasets = await ListAsync("/v1/datasets");
        CheckListed(problems, "dataset", datasets, "dataset_id", "name", load.Datasets.Values.Select(d => (d.DatasetId, d.Name)));
        foreach (var dataset in load.Datasets.Values)
        {
            var (status, data) = await GetAsync($"/v1/datasets/{dataset.DatasetId}");
            if (status != HttpStatusCode.OK) problems.Add($"dataset {dataset.DatasetId}: GET answered {(int)status}");
            else if (Text(data, "description") != dataset.Description)
                problems.Add($"dataset {dataset.DatasetId}: description '{Text(data, "description")}', acknowledged '{dataset.Description}'");
        }

        var keys = await ListAsync("/v1/api-keys");
        CheckListed(problems, "API key", keys, "api_key_id", "name", load.Keys.Values.Select(k => (k.KeyId, k.Name)));
        foreach (var key in load.Keys.Values)
        {
            var (status, _) = await GetAsync($"/v1/api-keys/{key.KeyId}");
            if (status != HttpStatusCode.OK) problems.Add($"API key {key.KeyId}: GET answered {(int)status}");
            using var me = await SendAsync(() =>
            {
                var request = new HttpRequestMessage(HttpMethod.Get, new Uri(node.BaseAddress, "/v1/me"));
                request.Headers.Add("X-API-Key", key.Secret);
                return request;
            });
            if (me.StatusCode != HttpStatusCode.OK) problems.Add($"API key {key.KeyId}: its secret answered {(int)me.StatusCode} on /v1/me");
        }

        foreach (var byDataset in load.Objects.Values.GroupBy(o => o.DatasetId))
        {
            var objects = await ListAsync($"/v1/datasets/{byDataset.Key}/objects");
            CheckListed(problems, "object", objects, "object_id", "filename", byDataset.Select(o => (o.ObjectId, o.Filename)));
        }

        foreach (var obj in load.Objects.Values)
        {
            var (status, data) = await GetAsync($"/v1/objects/{obj.ObjectId}");
            if (status != HttpStatusCode.OK) problems.Add($"object {obj.ObjectId}: GET answered {(int)status}");
            else if (Text(data, "status") is "pending_upload" or "failed" or null)
                problems.Add($"object {obj.ObjectId}: status {Text(data, "status")} after an acknowledged complete");
        }

        return problems;
    }

    private static void CheckListed(List<string> problems, string what, IReadOnlyList<JsonElement> listed, string idField, string nameField,
        IEnumerable<(string Id, string Name)> acknowledged)
    {
        var ids = listed.Select(i => Text(i, idField)).ToHashSet(StringComparer.Ordinal);
        var names = listed.GroupBy(i => Text(i, nameField) ?? "", StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        foreach (var (id, name) in acknowledged)
        {
            if (!ids.Contains(id)) problems.Add($"{what} {id} ({name}) is missing from its list");
            if (names.GetValueOrDefault(name) > 1) problems.Add($"{what} '{name}' is listed {names[name]} times (a duplicate under one Idempotency-Key)");
        }
    }

    private async Task<IReadOnlyList<JsonElement>> ListAsync(string path)
    {
        var items = new List<JsonElement>();
        string? cursor = null;
        do
        {
            var (status, data) = await GetAsync(path + "?limit=100" + (cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor)));
            if (status != HttpStatusCode.OK) throw new InvalidOperationException($"GET {path} answered {(int)status}");
            items.AddRange(data.GetProperty("items").EnumerateArray().Select(i => i.Clone()));
            cursor = data.GetProperty("has_more").GetBoolean() ? data.GetProperty("next_cursor").GetString() : null;
        }
        while (cursor is not null);
        return items;
    }

    /// <summary>A GET as the session, waiting out the session's rate limit (hundreds of reads in a row exceed it).</summary>
    private async Task<(HttpStatusCode Status, JsonElement Data)> GetAsync(string path)
    {
        using var response = await SendAsync(() =>
        {
            var request = new HttpRequestMessage(HttpMethod.Get, new Uri(node.BaseAddress, path));
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", sessionToken);
            return request;
        });
        var text = await response.Content.ReadAsStringAsync();
        return response.StatusCode == HttpStatusCode.OK
            ? (response.StatusCode, JsonDocument.Parse(text).RootElement.GetProperty("data").Clone())
            : (response.StatusCode, default);
    }

    private async Task<HttpResponseMessage> SendAsync(Func<HttpRequestMessage> newRequest)
    {
        while (true)
        {
            using var request = newRequest();
            var response = await node.Client.SendAsync(request);
            if (response.StatusCode != HttpStatusCode.TooManyRequests) return response;
            var wait = response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(1);
            response.Dispose();
            await Task.Delay(wait);
        }
    }

    private static string? Text(JsonElement element, string property) =>
        element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
