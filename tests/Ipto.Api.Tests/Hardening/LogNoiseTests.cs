using System.Net;
using Ipto.Api.Tests.Support;

namespace Ipto.Api.Tests.Hardening;

/// <summary>
/// Logs as the configured filters let them through (the fixture's own capture ignores filters): a refused credential
/// is the client's business, answered in the response, and writes no Information line.
/// </summary>
public sealed class LogNoiseTests : IAsyncLifetime
{
    private readonly string _dataDir = Directory.CreateTempSubdirectory("ipto-logs-").FullName;
    private readonly FilteredLogs _logs = new();
    private IptoApiFactory _root = null!;
    private Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactory<Program> _api = null!;

    public Task InitializeAsync()
    {
        _root = new IptoApiFactory(_dataDir, IdentityFixture.Settings, testCredentials: false);
        _api = _root.WithWebHostBuilder(b => b.ConfigureServices(s => s.AddSingleton<ILoggerProvider>(_logs)));
        _api.CreateClient().Dispose();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _api.DisposeAsync();
        await _root.DisposeAsync();
        Directory.Delete(_dataDir, recursive: true);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("Bearer sess_not-a-real-session")]
    [InlineData("Bearer ipto_nope")]
    public async Task RefusedCredentialWritesNoInformationLine(string? authorization)
    {
        using var client = _api.CreateClient();
        if (authorization is not null) client.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", authorization);
        var before = _logs.Inner.Lines.Count;

        var response = await client.GetAsync("/v1/me");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var written = _logs.Inner.Lines.Skip(before).Where(l => !l.StartsWith("Warning", StringComparison.Ordinal) && !l.StartsWith("Error", StringComparison.Ordinal)
            && !l.StartsWith("Critical", StringComparison.Ordinal)).ToArray();
        Assert.True(written.Length == 0, string.Join('\n', written));
    }

    [Fact]
    public void StartUpWritesNoWarning()
    {
        var warnings = _logs.Inner.Lines.Where(l => l.StartsWith("Warning", StringComparison.Ordinal) || l.StartsWith("Error", StringComparison.Ordinal)).ToArray();

        Assert.True(warnings.Length == 0, string.Join('\n', warnings));
    }

    /// <summary>A provider type of its own, so that only the app's general filter rules apply to it.</summary>
    private sealed class FilteredLogs : ILoggerProvider
    {
        public CapturedLogs Inner { get; } = new();

        public ILogger CreateLogger(string categoryName) => Inner.CreateLogger(categoryName);

        public void Dispose()
        {
        }
    }
}
