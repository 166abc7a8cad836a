using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Ipto.Api.Tests.Support;
using Ipto.Testing;
using static Ipto.Testing.ApiHttp;

namespace Ipto.Api.Tests.Diagnostics;

/// <summary>
/// Without a management listener the Api serves the Prometheus scrape endpoint and the Orleans Dashboard on its own
/// port to platform admins only; the scrape holds the ASP.NET Core, Orleans and business meters.
/// </summary>
public sealed partial class OperatorEndpointsTests(IdentityFixture api) : IClassFixture<IdentityFixture>
{
    private IptoApiFactory Api => api.Factory;

    private async Task<HttpClient> AdminAsync() =>
        Api.WithBearer((await (await Api.LoginAsync(IdentityFixture.AdminEmail, IdentityFixture.AdminPassword)).DataAsync()).GetProperty("session_token").GetString()!);

    [Fact]
    public async Task MetricsShowTheAspNetCoreOrleansAndBusinessMetersAfterASearch()
    {
        using var admin = await AdminAsync();
        var account = await Api.SignupAsync();
        using var owner = Api.WithBearer(account.SessionToken);
        var (_, key) = await owner.CreateKeyAsync("search:query");
        using var agent = Api.WithApiKey(key);
        var before = LexicalSearches(await ScrapeAsync(admin));

        await (await agent.PostAsync("/v1/search", Body(new { query = "nothing here matches", mode = "lexical" }))).DataAsync();

        var scrape = await Eventually.Until(() => ScrapeAsync(admin), s => LexicalSearches(s) > before, TimeSpan.FromSeconds(15), "the search to be counted");
        Assert.Contains("http_server_request_duration_seconds_bucket{", scrape, StringComparison.Ordinal);
        Assert.Contains("http_route=\"/v1/search\"", scrape, StringComparison.Ordinal);
        Assert.Matches(OrleansMetric(), scrape);
        Assert.Contains("ipto_search_results_bucket{", scrape, StringComparison.Ordinal);
        Assert.Contains("ipto_ledger_batch_rows_bucket", scrape, StringComparison.Ordinal);
        Assert.Contains("ipto_ledger_commit_duration_seconds_bucket", scrape, StringComparison.Ordinal);
        await Eventually.Until(() => ScrapeAsync(admin), s => s.Contains("ipto_review_queue", StringComparison.Ordinal) && s.Contains("ipto_jobs_backlog", StringComparison.Ordinal),
            TimeSpan.FromSeconds(15), "the read-model gauges");
    }

    [Fact]
    public async Task MetricsAndTheDashboardAreForPlatformAdminsOnly()
    {
        using var admin = await AdminAsync();
        var account = await Api.SignupAsync();
        using var owner = Api.WithBearer(account.SessionToken);
        var (_, key) = await owner.CreateKeyAsync("datasets:read");
        using var agent = Api.WithApiKey(key);
        using var anonymous = Api.ClientFor(null);

        using var dashboard = await admin.GetAsync("/dashboard/");
        Assert.Equal(HttpStatusCode.OK, dashboard.StatusCode);
        Assert.Contains("text/html", dashboard.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
        foreach (var path in new[] { "/dashboard/", "/dashboard", "/metrics" })
        {
            await (await owner.GetAsync(path)).ErrorAsync(HttpStatusCode.Forbidden, "forbidden");
            await (await agent.GetAsync(path)).ErrorAsync(HttpStatusCode.Forbidden, "forbidden");
            await (await anonymous.GetAsync(path)).ErrorAsync(HttpStatusCode.Unauthorized, "unauthenticated");
        }
    }

    private static async Task<string> ScrapeAsync(HttpClient admin)
    {
        using var response = await admin.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    private static double LexicalSearches(string scrape)
    {
        var match = LexicalCounter().Match(scrape);
        return match.Success ? double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
    }

    [GeneratedRegex("""^ipto_searches_total\{[^}]*mode="lexical"[^}]*\} (\S+)""", RegexOptions.Multiline)]
    private static partial Regex LexicalCounter();

    [GeneratedRegex("^orleans_[a-z_]+", RegexOptions.Multiline)]
    private static partial Regex OrleansMetric();
}
