using System.Net;
using Ipto.Api.Tests.Support;
using Ipto.Testing;

namespace Ipto.Api.Tests.Http;

public sealed class PaginationTests(ApiFixture api) : IClassFixture<ApiFixture>
{
    [Fact]
    public async Task PagesCoverEveryRowOnceInOrder()
    {
        using var client = api.Factory.ClientFor(IptoApiFactory.Alice);
        var seen = new List<string>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var data = await (await client.GetAsync($"/v1/test/letters?limit=10{(cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor))}")).DataAsync();
            seen.AddRange(data.GetProperty("items").EnumerateArray().Select(i => i.GetString()!));
            Assert.Equal(26, data.GetProperty("total").GetInt32());
            cursor = data.GetProperty("next_cursor").GetString();
            Assert.Equal(cursor is not null, data.GetProperty("has_more").GetBoolean());
            pages++;
        }
        while (cursor is not null);

        Assert.Equal(3, pages);
        Assert.Equal(Enumerable.Range('a', 26).Select(c => ((char)c).ToString()), seen);
    }

    [Fact]
    public async Task DefaultLimitIs20()
    {
        using var client = api.Factory.ClientFor(IptoApiFactory.Alice);

        var data = await (await client.GetAsync("/v1/test/letters")).DataAsync();

        Assert.Equal(20, data.GetProperty("items").GetArrayLength());
    }

    [Theory]
    [InlineData("limit=0")]
    [InlineData("limit=101")]
    [InlineData("limit=abc")]
    [InlineData("cursor=not-a-cursor")]
    [InlineData("cursor=eyJhIjoxfQ.AAAAAAAAAAAAAAAAAAAAAA")]
    public async Task BadLimitOrCursorIsInvalidRequest(string query)
    {
        using var client = api.Factory.ClientFor(IptoApiFactory.Alice);

        var response = await client.GetAsync("/v1/test/letters?" + query);

        await response.ErrorAsync(HttpStatusCode.BadRequest, "invalid_request");
    }

    [Fact]
    public async Task TamperedCursorIsInvalidRequest()
    {
        using var client = api.Factory.ClientFor(IptoApiFactory.Alice);
        var cursor = (await (await client.GetAsync("/v1/test/letters?limit=5")).DataAsync()).GetProperty("next_cursor").GetString()!;
        var tampered = cursor[..2] + (cursor[2] == 'x' ? 'y' : 'x') + cursor[3..];

        var response = await client.GetAsync("/v1/test/letters?cursor=" + Uri.EscapeDataString(tampered));

        await response.ErrorAsync(HttpStatusCode.BadRequest, "invalid_request");
    }
}
