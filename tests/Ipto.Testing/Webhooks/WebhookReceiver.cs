using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using StandardWebhooks;

namespace Ipto.Testing.Webhooks;

/// <summary>One request a receiver got, with the status it answered.</summary>
public sealed record ReceivedWebhook(string Path, string Id, string Timestamp, string Signature, string Body, int Answered)
{
    public JsonElement Json => JsonDocument.Parse(Body).RootElement;
    public string Type => Json.GetProperty("type").GetString()!;
    public JsonElement Data => Json.GetProperty("data");

    /// <summary>
    /// Checks the signatures with the StandardWebhooks package (an implementation independent of ours): passes when one
    /// of them verifies under <paramref name="secret"/>, else throws the library's error. The package (1.1.2) only looks
    /// at the first signature of a header, so each is handed to it on its own.
    /// </summary>
    public void VerifyWithLibrary(string secret)
    {
        var verifier = new StandardWebhook(secret, WebhookConfigurationOptions.StandardWebhooks);
        Exception? last = null;
        foreach (var signature in Signature.Split(' '))
        {
            try
            {
                verifier.Verify(Body, new HeaderDictionary { ["webhook-id"] = Id, ["webhook-timestamp"] = Timestamp, ["webhook-signature"] = signature });
                return;
            }
            catch (StandardWebhooks.Diagnostics.WebhookVerificationException e)
            {
                last = e;
            }
        }

        throw last!;
    }

    /// <summary>Whether one of the signatures is base64(HMAC-SHA256(key, "{id}.{timestamp}.{body}")) with the key the secret carries.</summary>
    public bool SignedByHand(string secret)
    {
        var key = Convert.FromBase64String(secret["whsec_".Length..]);
        var expected = "v1," + Convert.ToBase64String(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes($"{Id}.{Timestamp}.{Body}")));
        return Signature.Split(' ').Any(s => CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(s), Encoding.UTF8.GetBytes(expected)));
    }
}

/// <summary>
/// A webhook receiver on 127.0.0.1 (a real Kestrel server): records every request per path and answers each path
/// with scripted statuses (then 200); a 3xx points <c>Location</c> at <c>{path}-target</c>.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, ConcurrentQueue<int>> _scripts = new();
    private readonly ConcurrentQueue<ReceivedWebhook> _received = new();
    private readonly ConcurrentDictionary<string, bool> _held = new();
    private readonly ConcurrentDictionary<string, bool> _stalled = new();

    private WebhookReceiver(WebApplication app) => _app = app;

    public string BaseUrl { get; private set; } = "";

    public int RequestCount => _received.Count;

    public static async Task<WebhookReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new WebhookReceiver(app);
        app.MapPost("/{**path}", async (HttpContext http, string path) =>
        {
            if (receiver._stalled.ContainsKey(path))
            {
                receiver._received.Enqueue(new ReceivedWebhook(path, http.Request.Headers["webhook-id"].ToString(), "", "", "", 0));
                await Task.Delay(Timeout.Infinite, http.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
                return Results.Empty;
            }

            using var reader = new StreamReader(http.Request.Body, Encoding.UTF8);
            var body = await reader.ReadToEndAsync();
            var status = receiver._held.ContainsKey(path) ? 503
                : receiver._scripts.TryGetValue(path, out var script) && script.TryDequeue(out var next) ? next : 200;
            receiver._received.Enqueue(new ReceivedWebhook(path, http.Request.Headers["webhook-id"].ToString(),
                http.Request.Headers["webhook-timestamp"].ToString(), http.Request.Headers["webhook-signature"].ToString(), body, status));
            if (status is >= 300 and < 400) http.Response.Headers.Location = $"/{path}-target";
            return Results.StatusCode(status);
        });
        await app.StartAsync();
        receiver.BaseUrl = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single().TrimEnd('/');
        return receiver;
    }

    /// <summary>A URL of this receiver; each test uses its own path.</summary>
    public string Url(string path) => $"{BaseUrl}/{path}";

    /// <summary>The next requests to <paramref name="path"/> get these statuses, in order; after them, 200.</summary>
    public void Script(string path, params int[] statuses) => _scripts[path] = new ConcurrentQueue<int>(statuses);

    /// <summary>Requests to <paramref name="path"/> get 503 until <see cref="Release"/>.</summary>
    public void Hold(string path) => _held[path] = true;

    /// <summary>Requests to <paramref name="path"/> are never answered (recorded with status 0) until the caller gives up.</summary>
    public void Stall(string path) => _stalled[path] = true;

    public void Release(string path) => _held.TryRemove(path, out _);

    public IReadOnlyList<ReceivedWebhook> At(string path) => _received.Where(r => r.Path == path).ToArray();

    public ValueTask DisposeAsync() => _app.DisposeAsync();
}
