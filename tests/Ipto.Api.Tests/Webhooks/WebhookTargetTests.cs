using System.Net;
using Ipto.Api.Tests.Support;
using Ipto.Grains.Webhooks;
using Ipto.Testing.Webhooks;
using static Ipto.Testing.ApiHttp;

namespace Ipto.Api.Tests.Webhooks;

/// <summary>
/// The SSRF guard (SPEC §13) with the default settings: URLs that are not https or that reach loopback, private,
/// link-local or unspecified addresses are refused at create, and the delivery client refuses to dial them even when a
/// name that passed resolves there later — no request reaches the receiver on 127.0.0.1.
/// </summary>
public sealed class WebhookTargetTests(IdentityFixture api) : IClassFixture<IdentityFixture>, IAsyncLifetime
{
    private WebhookReceiver _receiver = null!;

    public async Task InitializeAsync() => _receiver = await WebhookReceiver.StartAsync();

    public async Task DisposeAsync() => await _receiver.DisposeAsync();

    private sealed class OneClientFactory(bool allowInsecureTargets) : IHttpClientFactory
    {
        public HttpClient CreateClient(string name) => new(WebhookSender.Handler(allowInsecureTargets)) { Timeout = WebhookSender.Timeout };
    }

    public static TheoryData<string> RefusedUrls(int port) =>
    [
        $"http://example.com/hook",
        $"https://127.0.0.1:{port}/hook",
        "https://10.0.0.1/hook",
        "https://172.16.5.4/hook",
        "https://192.168.1.1/hook",
        "https://169.254.169.254/latest/meta-data",
        "https://100.64.0.1/hook",
        "https://0.0.0.0/hook",
        $"https://[::1]:{port}/hook",
        "https://[fd00::1]/hook",
        "https://[fe80::1]/hook",
        "https://[::ffff:127.0.0.1]/hook",
        $"https://localhost:{port}/hook",
        $"https://webhooks.localhost:{port}/hook",
        "https://user:pass@example.com/hook",
    ];

    [Fact]
    public async Task CreateRefusesEveryNonHttpsOrNonPublicTargetAndNoRequestLeaves()
    {
        using var owner = api.Factory.WithBearer((await api.Factory.SignupAsync()).SessionToken);
        var port = new Uri(_receiver.BaseUrl).Port;
        foreach (var url in RefusedUrls(port))
        {
            var error = await (await owner.PostAsync("/v1/webhooks", Body(new { url, event_types = new[] { "*" } })))
                .ErrorAsync((HttpStatusCode)422, "validation_failed");
            Assert.True(error.GetProperty("details").EnumerateArray().Any(d => d.GetProperty("field").GetString() == "url"), $"{url}: {error}");
        }

        Assert.Empty((await (await owner.GetAsync("/v1/webhooks")).DataAsync()).GetProperty("items").EnumerateArray());
        Assert.Equal(0, _receiver.RequestCount);
    }

    [Fact]
    public async Task TheDeliveryClientRefusesToDialALoopbackAddressUnlessInsecureTargetsAreAllowed()
    {
        var delivery = new DueDelivery("dlv_x", "evt_x", "webhook.test", DateTimeOffset.UtcNow, """{"message":"hi"}""", 0, 0);
        var secrets = new[] { "whsec_" + Convert.ToBase64String(new byte[32]) };
        foreach (var url in new[] { _receiver.Url("refused"), $"http://localhost:{new Uri(_receiver.BaseUrl).Port}/refused" })
        {
            // The silo's own webhook client, as the default settings configure it.
            var refused = await new WebhookSender(api.Factory.Services.GetRequiredService<IHttpClientFactory>(), TimeProvider.System).SendAsync(url, delivery, secrets);
            Assert.Null(refused.StatusCode);
            Assert.Contains("webhooks are not delivered there", refused.Error);
        }

        Assert.Equal(0, _receiver.RequestCount);

        var allowed = await new WebhookSender(new OneClientFactory(true), TimeProvider.System).SendAsync(_receiver.Url("allowed"), delivery, secrets);
        Assert.Equal(200, allowed.StatusCode);
        Assert.Single(_receiver.At("allowed"));
    }

    [Fact]
    public async Task AReceiverThatDoesNotAnswerWithinTenSecondsIsAFailedAttempt()
    {
        await using var silent = await WebhookReceiver.StartAsync();
        silent.Stall("slow");
        var delivery = new DueDelivery("dlv_x", "evt_x", "webhook.test", DateTimeOffset.UtcNow, "{}", 0, 0);
        var result = await new WebhookSender(new OneClientFactory(true), TimeProvider.System)
            .SendAsync(silent.Url("slow"), delivery, ["whsec_" + Convert.ToBase64String(new byte[32])]);
        Assert.Null(result.StatusCode);
        Assert.Equal("No answer within 10 s.", result.Error);
        Assert.Single(silent.At("slow"));
    }

    [Fact]
    public async Task RedirectsAreNotFollowed()
    {
        await using var redirector = await WebhookReceiver.StartAsync();
        redirector.Script("moved", 307);
        var delivery = new DueDelivery("dlv_x", "evt_x", "webhook.test", DateTimeOffset.UtcNow, "{}", 0, 0);
        var result = await new WebhookSender(new OneClientFactory(true), TimeProvider.System)
            .SendAsync(redirector.Url("moved"), delivery, ["whsec_" + Convert.ToBase64String(new byte[32])]);
        Assert.Equal(307, result.StatusCode);
        Assert.False(result.Succeeded);
        Assert.Single(redirector.At("moved"));
        Assert.Empty(redirector.At("moved-target"));
    }
}
