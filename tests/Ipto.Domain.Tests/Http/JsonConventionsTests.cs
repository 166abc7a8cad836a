using System.Text.Json;
using Ipto.Api.Http;

namespace Ipto.Domain.Tests.Http;

public sealed class JsonConventionsTests
{
    private sealed record Sample(string DisplayName, DateTimeOffset CreatedAt);

    private static JsonSerializerOptions Options()
    {
        // As in ASP.NET Core: reflection behind the source-generated context, for types the context does not list.
        var options = new JsonSerializerOptions { TypeInfoResolver = new System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver() };
        ApiJson.Configure(options);
        return options;
    }

    [Fact]
    public void PropertiesAreSnakeCaseAndTimestampsHaveThreeFractionalDigits()
    {
        var json = JsonSerializer.Serialize(new Sample("x", new DateTimeOffset(2026, 4, 5, 12, 0, 0, TimeSpan.FromHours(2))), Options());

        Assert.Equal("{\"display_name\":\"x\",\"created_at\":\"2026-04-05T10:00:00.000Z\"}", json);
    }

    [Fact]
    public void TimestampWithoutZoneIsRefused() =>
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<Sample>("{\"display_name\":\"x\",\"created_at\":\"2026-04-05T10:00:00\"}", Options()));

    [Theory]
    [InlineData("$.name", "name")]
    [InlineData("$.pricing.price_per_retrieval", "pricing.price_per_retrieval")]
    [InlineData("$.scopes[1]", "scopes[1]")]
    [InlineData("$['odd key']", "odd key")]
    [InlineData("$", "body")]
    [InlineData(null, "body")]
    public void JsonPathsBecomeSpecFieldPaths(string? path, string field) => Assert.Equal(field, JsonBody<object>.FieldPath(path));
}
