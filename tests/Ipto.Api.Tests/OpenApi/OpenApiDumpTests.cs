using Ipto.Api.Tests.Support;

namespace Ipto.Api.Tests.OpenApi;

public sealed class OpenApiDumpTests(ApiFixture api) : IClassFixture<ApiFixture>
{
    [Fact]
    public async Task Dump()
    {
        using var client = api.Factory.ClientFor(null);
        await File.WriteAllTextAsync("/tmp/openapi.json", await client.GetStringAsync("/openapi/v1.json"));
        await File.WriteAllTextAsync("/tmp/docs.html", await client.GetStringAsync("/docs/"));
        await File.WriteAllTextAsync("/tmp/scalar.js", await client.GetStringAsync("/docs/scalar.js"));
        await File.WriteAllTextAsync("/tmp/scalar.aspnetcore.js", await client.GetStringAsync("/docs/scalar.aspnetcore.js"));
    }
}
