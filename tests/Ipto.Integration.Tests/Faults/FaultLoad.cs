using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Ipto.Integration.Tests.Faults;

/// <summary>One HTTP attempt as the load saw it: when, in which phase, its outcome, and whether a 503 said when to retry.</summary>
public sealed record Attempt(TimeSpan At, string Phase, string Node, string Request, string Outcome, TimeSpan Latency, bool HasRetryAfter, string? Body);

public sealed record AcknowledgedDataset(string DatasetId, string Name, string? Description);

public sealed record AcknowledgedKey(string KeyId, string Name, string Secret);

public sealed record AcknowledgedObject(string ObjectId, string DatasetId, string Filename);

/// <summary>
/// A bounded load of writers, each creating datasets, patching them, creating API keys and uploading small files
/// through the presigned URLs, every POST under an Idempotency-Key. A write is retried with the same key until it
/// is acknowledged (a 2xx), switching node when one stops answering; only acknowledged writes are recorded, with the
/// state they promise.
/// </summary>
public sealed class FaultLoad(IReadOnlyList<ApiNode> nodes, string sessionToken, int writers)
{
    private static readonly TimeSpan RetryPause = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan WriteDeadline = TimeSpan.FromSeconds(120);

    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _writers = [];
    private readonly HttpClient _storage = new() { Timeout = TimeSpan.FromSeconds(30) };
    private volatile string _phase = "baseline";

    public ConcurrentQueue<Attempt> Attempts { get; } = new();
    public ConcurrentDictionary<string, AcknowledgedDataset> Datasets { get; } = new();
    public ConcurrentDictionary<string, AcknowledgedKey> Keys { get; } = new();
    public ConcurrentDictionary<string, AcknowledgedObject> Objects { get; } = new();

    /// <summary>Writes given up on at the end of the run (their outcome unknown, so neither counted lost nor acknowledged).</summary>
    public int Abandoned => _abandoned;

    private int _abandoned;

    public TimeSpan Now => _clock.Elapsed;

    public string Phase
    {
        get => _phase;
        set => _phase = value;
    }

    public void Start()
    {
        for (var i = 0; i < writers; i++)
        {
            var writer = i;
            _writers.Add(Task.Run(() => WriteUntilStoppedAsync(writer)));
        }
    }

    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_writers);
        _storage.Dispose();
    }

    /// <summary>Waits until <paramref name="count"/> more writes have been acknowledged (the load is making progress).</summary>
    public async Task WaitForProgressAsync(int count, TimeSpan timeout)
    {
        var target = AcknowledgedCount + count;
        var deadline = _clock.Elapsed + timeout;
        while (AcknowledgedCount < target)
        {
            if (_clock.Elapsed > deadline) throw new TimeoutException($"The load acknowledged {AcknowledgedCount}, not {target}, in phase {Phase}.");
            await Task.Delay(50);
        }
    }

    private int AcknowledgedCount => Datasets.Count + Keys.Count + Objects.Count + _patches;

    private int _patches;

    private async Task WriteUntilStoppedAsync(int writer)
    {
        var own = new List<string>();
        for (var n = 0; !_stop.IsCancellationRequested; n++)
        {
            try
            {
                switch (n % 4)
                {
                    case 0:
                        own.Add(await CreateDatasetAsync(writer));
                        break;
                    case 1:
                        await PatchDatasetAsync(writer, own[^1], n);
                        break;
                    case 2:
                        await CreateKeyAsync(writer);
                        break;
                    default:
                        await UploadAsync(writer, own[^1], n);
                        break;
                }
            }
            catch (WriteAbandonedException)
            {
                Interlocked.Increment(ref _abandoned);
                return;
            }
        }
    }

    private async Task<string> CreateDatasetAsync(int writer)
    {
        var name = $"fault-{writer}-{Guid.NewGuid():N}";
        var data = await WriteAsync(writer, HttpMethod.Post, "/v1/datasets", $$"""{"name":"{{name}}","visibility":"private"}""", idempotent: true);
        var id = data.GetProperty("dataset_id").GetString()!;
        Datasets[id] = new AcknowledgedDataset(id, name, null);
        return id;
    }

    private async Task PatchDatasetAsync(int writer, string datasetId, int n)
    {
        var description = $"revision {n.ToString(CultureInfo.InvariantCulture)}";
        await WriteAsync(writer, HttpMethod.Patch, $"/v1/datasets/{datasetId}", $$"""{"description":"{{description}}"}""", idempotent: false);
        Datasets[datasetId] = Datasets[datasetId] with { Description = description };
        Interlocked.Increment(ref _patches);
    }

    private async Task CreateKeyAsync(int writer)
    {
        var name = $"fault-{writer}-{Guid.NewGuid():N}";
        var data = await WriteAsync(writer, HttpMethod.Post, "/v1/api-keys", $$"""{"name":"{{name}}","scopes":["datasets:read"]}""", idempotent: true);
        var id = data.GetProperty("api_key_id").GetString()!;
        Keys[id] = new AcknowledgedKey(id, name, data.GetProperty("key").GetString()!);
    }

    private async Task UploadAsync(int writer, string datasetId, int n)
    {
        var filename = $"w{writer}-{n.ToString(CultureInfo.InvariantCulture)}-{Guid.NewGuid():N}.txt";
        var bytes = Encoding.UTF8.GetBytes($"Fault test file {filename}: manifests of containers shipped through Rotterdam.\n");
        var upload = await WriteAsync(writer, HttpMethod.Post, "/v1/uploads",
            $$"""{"dataset_id":"{{datasetId}}","filename":"{{filename}}","content_type":"text/plain","size_bytes":{{bytes.Length}}}""", idempotent: true);
        var uploadId = upload.GetProperty("upload_id").GetString()!;
        await PutAsync(writer, upload.GetProperty("upload_url").GetString()!, upload.GetProperty("required_headers"), bytes);
        await WriteAsync(writer, HttpMethod.Post, $"/v1/uploads/{uploadId}/complete", null, idempotent: true);
        var objectId = upload.GetProperty("object_id").GetString()!;
        Objects[objectId] = new AcknowledgedObject(objectId, datasetId, filename);
    }

    /// <summary>Sends one write until it is acknowledged; returns its <c>data</c>.</summary>
    private async Task<JsonElement> WriteAsync(int writer, HttpMethod method, string path, string? json, bool idempotent)
    {
        var key = idempotent ? Guid.NewGuid().ToString("N") : null;
        var started = _clock.Elapsed;
        for (var attempt = 0; ; attempt++)
        {
            if (_clock.Elapsed - started > WriteDeadline) throw new WriteAbandonedException();
            var node = nodes[(writer + attempt) % nodes.Count];
            using var request = new HttpRequestMessage(method, new Uri(node.BaseAddress, path));
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", sessionToken);
            if (key is not null) request.Headers.Add("Idempotency-Key", key);
            if (json is not null) request.Content = new StringContent(json, Encoding.UTF8, "application/json");
            var sent = _clock.Elapsed;
            try
            {
                using var response = await node.Client.SendAsync(request);
                var body = await response.Content.ReadAsStringAsync();
                var status = (int)response.StatusCode;
                Record(sent, node.Name, $"{method} {path}", status.ToString(CultureInfo.InvariantCulture), response.Headers.RetryAfter is not null, status >= 300 ? body : null);
                if (status is >= 200 and < 300) return JsonDocument.Parse(body).RootElement.GetProperty("data").Clone();
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
            {
                Record(sent, node.Name, $"{method} {path}", e is TaskCanceledException ? "timeout" : "connection", false, e.Message);
            }

            if (_stop.IsCancellationRequested && _clock.Elapsed - started > WriteDeadline / 2) throw new WriteAbandonedException();
            await Task.Delay(RetryPause);
        }
    }

    /// <summary>PUTs the bytes to the presigned URL with the headers it was signed for, until the store takes them.</summary>
    private async Task PutAsync(int writer, string url, JsonElement headers, byte[] bytes)
    {
        var started = _clock.Elapsed;
        while (true)
        {
            if (_clock.Elapsed - started > WriteDeadline) throw new WriteAbandonedException();
            using var request = new HttpRequestMessage(HttpMethod.Put, url) { Content = new ByteArrayContent(bytes) };
            foreach (var header in headers.EnumerateObject().Where(h => !h.NameEquals("Content-Length"))) // the content sets its own
                if (!request.Headers.TryAddWithoutValidation(header.Name, header.Value.GetString()))
                    request.Content.Headers.TryAddWithoutValidation(header.Name, header.Value.GetString());
            var sent = _clock.Elapsed;
            try
            {
                using var response = await _storage.SendAsync(request);
                Record(sent, "s3", "PUT", ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture), false, null);
                if (response.IsSuccessStatusCode) return;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
            {
                Record(sent, "s3", "PUT", "connection", false, e.Message);
            }

            await Task.Delay(RetryPause);
        }
    }

    private void Record(TimeSpan sent, string node, string request, string outcome, bool retryAfter, string? body) =>
        Attempts.Enqueue(new Attempt(sent, Phase, node, request, outcome, _clock.Elapsed - sent, retryAfter, body));

    private sealed class WriteAbandonedException : Exception;
}
