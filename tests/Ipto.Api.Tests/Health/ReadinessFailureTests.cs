using System.Net;
using System.Text.Json;
using Ipto.Api.Tests.Support;
using Ipto.Testing;

namespace Ipto.Api.Tests.Health;

public sealed class ReadinessFailureTests
{
    [Fact]
    public async Task UnreachableObjectStoreMakesTheNodeUnready()
    {
        using var dir = new TempDir();
        await using var api = new IptoApiFactory(dir.Path, new Dictionary<string, string?>
        {
            ["Ipto:ObjectStore:Provider"] = "s3",
            ["Ipto:S3:ServiceUrl"] = $"http://127.0.0.1:{Ports.Free()}",
            ["Ipto:S3:Bucket"] = "nowhere",
        });
        using var client = api.ClientFor(null);

        var response = await client.GetAsync("/health/ready");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("unhealthy", body.GetProperty("status").GetString());
        Assert.Equal("unhealthy", body.GetProperty("checks").GetProperty("object_store").GetString());
        Assert.Equal("healthy", body.GetProperty("checks").GetProperty("silo").GetString());
        Assert.Equal("healthy", body.GetProperty("checks").GetProperty("database").GetString());
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health")).StatusCode);
    }
}
