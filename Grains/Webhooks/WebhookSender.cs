using System.Net.Http.Headers;
using System.Text.Json;
using Ipto.Common;

namespace Ipto.Grains.Webhooks;

/// <summary>
/// One delivery attempt (SPEC §13): <c>POST {id, type, created_at, data}</c> signed per Standard Webhooks, through the
/// webhook client (10 s timeout, no redirects, no proxy, public addresses only); a 2xx is delivered.
/// </summary>
public sealed class WebhookSender(IHttpClientFactory clients, TimeProvider time)
{
    public const string ClientName = "ipto-webhooks";
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    public static SocketsHttpHandler Handler(bool allowInsecureTargets) => new()
    {
        AllowAutoRedirect = false,
        UseCookies = false,
        UseProxy = false,
        ConnectTimeout = Timeout,
        PooledConnectionLifetime = TimeSpan.FromMinutes(2),
        ConnectCallback = new WebhookConnector(allowInsecureTargets).ConnectAsync,
    };

    public static byte[] Body(string eventId, string type, DateTimeOffset createdAt, string data)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("id", eventId);
            json.WriteString("type", type);
            json.WriteString("created_at", UtcMillisecondsConverter.Format(createdAt));
            json.WritePropertyName("data");
            json.WriteRawValue(data);
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    public async Task<AttemptResult> SendAsync(string url, DueDelivery delivery, IEnumerable<string> secrets)
    {
        var body = Body(delivery.EventId, delivery.EventType, delivery.EventCreatedAt, delivery.Data);
        var timestamp = time.GetUtcNow().ToUnixTimeSeconds();
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Add("webhook-id", delivery.EventId);
        request.Headers.Add("webhook-timestamp", timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.Add("webhook-signature", WebhookSignature.Header(secrets, delivery.EventId, timestamp, body));
        var started = time.GetTimestamp();
        try
        {
            using var response = await clients.CreateClient(ClientName).SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            var code = (int)response.StatusCode;
            Diagnostics.IptoMetrics.WebhookAttempted(code is >= 200 and < 300);
            return new AttemptResult(code, code is >= 200 and < 300 ? null : $"The endpoint answered HTTP {code}.", Elapsed(started));
        }
        catch (TaskCanceledException)
        {
            Diagnostics.IptoMetrics.WebhookAttempted(false);
            return new AttemptResult(null, $"No answer within {Timeout.TotalSeconds:0} s.", Elapsed(started));
        }
        catch (HttpRequestException e)
        {
            Diagnostics.IptoMetrics.WebhookAttempted(false);
            var refused = e.InnerException as WebhookTargetRefusedException;
            return new AttemptResult(null, refused?.Message ?? $"Could not connect: {e.Message}", Elapsed(started));
        }
    }

    private long Elapsed(long started) => (long)time.GetElapsedTime(started).TotalMilliseconds;
}
