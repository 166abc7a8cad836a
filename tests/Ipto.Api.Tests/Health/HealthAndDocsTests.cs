using System.Net;
using System.Text.Json;
using Ipto.Api.Tests.Support;
using Ipto.Testing;

namespace Ipto.Api.Tests.Health;

public sealed class HealthAndDocsTests(ApiFixture api) : IClassFixture<ApiFixture>
{
    [Fact]
    public async Task HealthAnswersHealthyWithTheVersion()
    {
        using var client = api.Factory.ClientFor(null);

        var response = await client.GetAsync("/health");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("healthy", body.GetProperty("status").GetString());
        Assert.Matches(@"^\d+\.\d+\.\d+", body.GetProperty("version").GetString()!);
    }

    [Fact]
    public async Task ReadinessChecksSiloDatabaseAndObjectStore()
    {
        using var client = api.Factory.ClientFor(null);

        var response = await client.GetAsync("/health/ready");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("healthy", body.GetProperty("status").GetString());
        var checks = body.GetProperty("checks");
        Assert.Equal("healthy", checks.GetProperty("silo").GetString());
        Assert.Equal("healthy", checks.GetProperty("database").GetString());
        Assert.Equal("healthy", checks.GetProperty("object_store").GetString());
    }

    [Fact]
    public async Task OpenApiDocumentListsTheV1Routes()
    {
        using var client = api.Factory.ClientFor(null);

        var document = JsonDocument.Parse(await client.GetStringAsync("/openapi/v1.json")).RootElement;

        var paths = document.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToArray();
        Assert.Contains("/v1/jobs/{job_id}", paths);
        Assert.Contains("/health", paths);
        Assert.DoesNotContain(paths, p => p.StartsWith("/local-objects", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ApiReferencePageIsServed()
    {
        using var client = api.Factory.ClientFor(null);

        var response = await client.GetAsync("/docs/");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("openapi/v1.json", await response.Content.ReadAsStringAsync());
    }
}
