using System.Net;
using Ipto.Grains.Webhooks;
using Xunit;

namespace Ipto.Domain.Tests.Webhooks;

public sealed class WebhookAddressesTests
{
    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("127.255.0.9")]
    [InlineData("10.1.2.3")]
    [InlineData("172.16.0.1")]
    [InlineData("172.31.255.255")]
    [InlineData("192.168.1.1")]
    [InlineData("169.254.169.254")]
    [InlineData("100.64.0.1")]
    [InlineData("100.127.255.255")]
    [InlineData("0.0.0.0")]
    [InlineData("::")]
    [InlineData("::1")]
    [InlineData("fc00::1")]
    [InlineData("fd12:3456::1")]
    [InlineData("fe80::1")]
    [InlineData("febf::1")]
    [InlineData("::ffff:127.0.0.1")]
    [InlineData("::ffff:10.0.0.1")]
    public void LoopbackPrivateLinkLocalCgnatAndUnspecifiedAddressesAreRefused(string address)
    {
        Assert.False(WebhookAddresses.IsPublic(IPAddress.Parse(address)));
    }

    [Theory]
    [InlineData("8.8.8.8")]
    [InlineData("172.15.255.255")]
    [InlineData("172.32.0.1")]
    [InlineData("100.63.255.255")]
    [InlineData("100.128.0.1")]
    [InlineData("169.253.1.1")]
    [InlineData("192.169.0.1")]
    [InlineData("2606:4700::1111")]
    [InlineData("fec0::1")]
    [InlineData("::ffff:8.8.8.8")]
    public void PublicAddressesPass(string address)
    {
        Assert.True(WebhookAddresses.IsPublic(IPAddress.Parse(address)));
    }

    [Theory]
    [InlineData(null, "must be an absolute https URL")]
    [InlineData("", "must be an absolute https URL")]
    [InlineData("/hooks", "must be an absolute https URL")]
    [InlineData("http://example.com/hook", "must use https")]
    [InlineData("ftp://example.com/hook", "must use https")]
    [InlineData("https://user:secret@example.com/hook", "must not carry credentials")]
    [InlineData("https://127.0.0.1/hook", "must not point at a loopback, private, link-local or unspecified address")]
    [InlineData("https://[::1]:8443/hook", "must not point at a loopback, private, link-local or unspecified address")]
    [InlineData("https://169.254.169.254/latest", "must not point at a loopback, private, link-local or unspecified address")]
    [InlineData("https://localhost/hook", "must not point at a loopback address")]
    [InlineData("https://example.com/hook", null)]
    [InlineData("https://8.8.8.8:8443/hook", null)]
    public void AUrlMustBeHttpsToAPublicHost(string? url, string? issue)
    {
        Assert.Equal(issue, WebhookAddresses.UrlIssue(url, allowInsecure: false));
    }

    [Theory]
    [InlineData("http://127.0.0.1:5055/hook")]
    [InlineData("https://localhost/hook")]
    public void InsecureTargetsAreAllowedOnlyWhenConfigured(string url)
    {
        Assert.NotNull(WebhookAddresses.UrlIssue(url, allowInsecure: false));
        Assert.Null(WebhookAddresses.UrlIssue(url, allowInsecure: true));
    }

    [Fact]
    public async Task ANameIsJudgedByEveryAddressItResolvesTo()
    {
        Assert.False(await WebhookAddresses.ResolvesToPublicAsync("localhost", CancellationToken.None));
        Assert.False(await WebhookAddresses.ResolvesToPublicAsync("10.0.0.7", CancellationToken.None));
        Assert.True(await WebhookAddresses.ResolvesToPublicAsync("8.8.4.4", CancellationToken.None));
    }
}
