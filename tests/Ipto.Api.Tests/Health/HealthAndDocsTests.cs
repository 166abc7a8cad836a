using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
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
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("openapi/v1.json", html);
        Assert.Contains("<title>IPTO API</title>", html);

        // No vendor toolbars, AI agent, telemetry, client or download buttons, "Powered by" link; auth prefilled with our schemes.
        var configuration = JsonDocument.Parse(Regex.Match(html, @"initialize\(\s*'[^']*',\s*\w+,\s*(\{.*\}),\s*''\s*\)", RegexOptions.Singleline).Groups[1].Value).RootElement;
        Assert.Equal("never", configuration.GetProperty("showDeveloperTools").GetString());
        Assert.False(configuration.GetProperty("telemetry").GetBoolean());
        Assert.True(configuration.GetProperty("agent").GetProperty("disabled").GetBoolean());
        Assert.True(configuration.GetProperty("mcp").GetProperty("disabled").GetBoolean());
        Assert.True(configuration.GetProperty("hideClientButton").GetBoolean());
        Assert.Equal("none", configuration.GetProperty("documentDownloadType").GetString());
        Assert.False(configuration.GetProperty("withDefaultFonts").GetBoolean());
        Assert.Contains("utm_source=powered-by", configuration.GetProperty("customCss").GetString());
        Assert.Equal(["session", "api_key"], configuration.GetProperty("authentication").GetProperty("preferredSecurityScheme").EnumerateArray().Select(s => s.GetString()));

        // Nothing is fetched from a CDN: every script is served by the Api itself.
        var scripts = Regex.Matches(html, "src=\"([^\"]+)\"").Select(m => m.Groups[1].Value).ToArray();
        Assert.NotEmpty(scripts);
        foreach (var script in scripts)
        {
            Assert.DoesNotMatch("^(https?:)?//", script);
            var served = await client.GetAsync("/docs/" + script);
            Assert.Equal(HttpStatusCode.OK, served.StatusCode);
            Assert.Contains("javascript", served.Content.Headers.ContentType?.MediaType);
        }
    }

    [Fact]
    public async Task ApiReferenceDocumentHasTheSecuritySchemesThatMakeTheAuthUiAppear()
    {
        using var client = api.Factory.ClientFor(null);

        var document = JsonDocument.Parse(await client.GetStringAsync("/openapi/v1.json")).RootElement;

        var schemes = document.GetProperty("components").GetProperty("securitySchemes");
        Assert.True(schemes.TryGetProperty("session", out _));
        Assert.True(schemes.TryGetProperty("api_key", out _));
    }
}
