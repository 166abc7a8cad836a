using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

/// <summary>
/// A plain HTTP client of the Api listening on a real socket: JSON calls for the setup steps, and the search call
/// whose latency is measured. Any unexpected status aborts the bench with the response body.
/// </summary>
internal sealed class SearchBenchClient(Uri baseAddress) : IDisposable
{
    private static readonly MediaTypeHeaderValue JsonType = new("application/json") { CharSet = "utf-8" };

    private readonly HttpClient _http = new(new SocketsHttpHandler { MaxConnectionsPerServer = 64, UseCookies = false }) { BaseAddress = baseAddress };

    public string? ApiKey { get; set; }

    /// <summary>The plain client, without credentials (sign-up, login, presigned URLs).</summary>
    public HttpClient Http => _http;

    /// <summary>A client of the same Api that sends <paramref name="token"/> on every request (the shared test steps take one).</summary>
    public HttpClient WithBearer(string token)
    {
        var client = new HttpClient(new SocketsHttpHandler { UseCookies = false }) { BaseAddress = _http.BaseAddress };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    public async Task<JsonElement> CallAsync(HttpMethod method, string path, object? body, string? bearer = null, HttpStatusCode expect = HttpStatusCode.OK)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null) request.Content = new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");
        if (bearer is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        using var response = await _http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        if (response.StatusCode != expect)
            throw new InvalidOperationException($"{method} {path} answered {(int)response.StatusCode}, expected {(int)expect}: {text}");
        return JsonDocument.Parse(text).RootElement.GetProperty("data").Clone();
    }

    /// <summary>The JSON body of one search request, built once so the client's own serialization is not timed.</summary>
    public static byte[] SearchBody(string query, string mode, int limit) =>
        JsonSerializer.SerializeToUtf8Bytes(new { query, mode, limit });

    /// <summary>POST /v1/search with the API key; returns the raw response body (read completely, as a client would).</summary>
    public async Task<byte[]> SearchAsync(byte[] body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/search") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = JsonType;
        request.Headers.Add("X-API-Key", ApiKey);
        using var response = await _http.SendAsync(request);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        if (response.StatusCode != HttpStatusCode.OK)
            throw new InvalidOperationException($"POST /v1/search answered {(int)response.StatusCode}: {Encoding.UTF8.GetString(bytes)}");
        return bytes;
    }

    /// <summary>POST /v1/search with the API key, expecting <paramref name="expect"/> (e.g. 422 to time everything up to validation).</summary>
    public async Task<int> SearchExpectingAsync(byte[] body, HttpStatusCode expect)
    {
        var (status, bytes) = await SearchWithStatusAsync(body);
        if (status != expect)
            throw new InvalidOperationException($"POST /v1/search answered {(int)status}, expected {(int)expect}: {Encoding.UTF8.GetString(bytes)}");
        return bytes.Length;
    }

    public async Task<(HttpStatusCode Status, byte[] Body)> SearchWithStatusAsync(byte[] body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/search") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = JsonType;
        request.Headers.Add("X-API-Key", ApiKey);
        using var response = await _http.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsByteArrayAsync());
    }

    public async Task<int> GetAsync(string path, bool apiKey)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (apiKey) request.Headers.Add("X-API-Key", ApiKey);
        using var response = await _http.SendAsync(request);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        if (response.StatusCode != HttpStatusCode.OK)
            throw new InvalidOperationException($"GET {path} answered {(int)response.StatusCode}: {Encoding.UTF8.GetString(bytes)}");
        return bytes.Length;
    }

    public void Dispose() => _http.Dispose();
}
