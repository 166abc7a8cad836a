using Ipto.Api.Http.Paging;
using Ipto.Common;

namespace Ipto.Domain.Tests.Http;

public sealed class PageRequestTests
{
    [Fact]
    public void LimitDefaultsTo20() => Assert.Equal(20, PageRequest.Parse(null, null).Limit);

    [Theory]
    [InlineData("1", 1)]
    [InlineData("100", 100)]
    [InlineData("37", 37)]
    public void LimitWithinRangeIsAccepted(string limit, int expected) => Assert.Equal(expected, PageRequest.Parse(limit, null).Limit);

    [Theory]
    [InlineData("0")]
    [InlineData("101")]
    [InlineData("-1")]
    [InlineData("ten")]
    [InlineData("")]
    [InlineData("1.5")]
    public void LimitOutOfRangeIs400(string limit)
    {
        var error = Assert.Throws<IptoException>(() => PageRequest.Parse(limit, null));

        Assert.Equal(ErrorCodes.InvalidRequest, error.Code);
        Assert.Equal("limit", Assert.Single(error.Details).Field);
    }

    [Fact]
    public void ExtraRowMeansMoreAndTheCursorPointsAtTheLastItem()
    {
        var codec = new CursorCodec(new byte[32]);
        var page = new PageRequest(2, null).ToPage(["a", "b", "c"], s => s, codec, "letters");

        Assert.Equal(["a", "b"], page.Items);
        Assert.True(page.HasMore);
        Assert.Equal("b", codec.Decode("letters", page.NextCursor!));
    }

    [Fact]
    public void LastPageHasNoCursor()
    {
        var page = new PageRequest(2, null).ToPage(["a", "b"], s => s, new CursorCodec(new byte[32]), "letters");

        Assert.False(page.HasMore);
        Assert.Null(page.NextCursor);
    }
}
