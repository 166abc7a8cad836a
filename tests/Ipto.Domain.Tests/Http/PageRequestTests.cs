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
}
