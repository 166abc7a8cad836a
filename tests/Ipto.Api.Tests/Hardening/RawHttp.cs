using System.Globalization;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Ipto.Api.Tests.Support;
using Ipto.Testing;

namespace Ipto.Api.Tests.Hardening;

/// <summary>The Api on a real Kestrel listener, for behaviour that TestServer (which bypasses Kestrel) cannot show.</summary>
public sealed class KestrelFixture : ApiFixture
{
    public int Port { get; } = Ports.Free();
    public Uri BaseAddress => new($"http://127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}");

    protected override IptoApiFactory CreateFactory(string dataDir) =>
        new(dataDir, new Dictionary<string, string?> { ["urls"] = BaseAddress.ToString().TrimEnd('/') });

    protected override void Start(IptoApiFactory factory)
    {
        factory.UseKestrel(Port);
        factory.StartServer();
    }
}

/// <summary>A response read off the socket: status, headers (case-insensitive, repeated ones joined) and body.</summary>
public sealed record RawResponse(int Status, IReadOnlyDictionary<string, string> Headers, string Body)
{
    public JsonElement Json() => JsonDocument.Parse(Body).RootElement;
}

public static class RawHttp
{
    /// <summary>Sends <paramref name="request"/> as is and reads until the server closes the connection.</summary>
    public static async Task<RawResponse> SendAsync(int port, byte[] request)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", port, timeout.Token);
        var stream = tcp.GetStream();
        await stream.WriteAsync(request, timeout.Token);
        using var received = new MemoryStream();
        try
        {
            await stream.CopyToAsync(received, timeout.Token);
        }
        catch (IOException)
        {
            // The server may reset the connection after its answer to a request it refused.
        }

        return Parse(received.ToArray());
    }

    public static Task<RawResponse> SendAsync(int port, string request) => SendAsync(port, Encoding.Latin1.GetBytes(request));

    private static RawResponse Parse(byte[] bytes)
    {
        var text = Encoding.UTF8.GetString(bytes);
        var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        Assert.True(end > 0, $"No complete response head: '{text}'");
        var lines = text[..end].Split("\r\n");
        var status = int.Parse(lines[0].AsSpan(9, 3), CultureInfo.InvariantCulture);
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in lines.Skip(1))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            var name = line[..colon];
            var value = line[(colon + 1)..].Trim();
            headers[name] = headers.TryGetValue(name, out var previous) ? previous + ", " + value : value;
        }

        return new RawResponse(status, headers, text[(end + 4)..]);
    }

    /// <summary>Asserts the SPEC error envelope with a request id equal to the X-Request-Id header.</summary>
    public static JsonElement AssertErrorEnvelope(RawResponse response, int status, string code)
    {
        Assert.True(response.Status == status, $"Expected {status}, got {response.Status}: {response.Body}");
        Assert.True(response.Headers.TryGetValue("X-Request-Id", out var requestId), "no X-Request-Id header");
        var root = response.Json();
        var error = root.GetProperty("error");
        Assert.Equal(code, error.GetProperty("code").GetString());
        Assert.False(string.IsNullOrWhiteSpace(error.GetProperty("message").GetString()));
        Assert.Equal(JsonValueKind.Array, error.GetProperty("details").ValueKind);
        Assert.Equal(requestId, root.GetProperty("request_id").GetString());
        Assert.Matches(ApiHttp.Timestamp(), root.GetProperty("timestamp").GetString()!);
        Assert.Equal(Encoding.UTF8.GetByteCount(response.Body), int.Parse(response.Headers["Content-Length"], CultureInfo.InvariantCulture));
        return error;
    }
}
