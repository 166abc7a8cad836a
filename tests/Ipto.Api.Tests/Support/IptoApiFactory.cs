using Ipto.Api.Http;
using Ipto.Common;
using Ipto.Testing;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;

namespace Ipto.Api.Tests.Support;

/// <summary>The Api in embedded mode (co-hosted silo, SQLite, local object store) over a private data dir, unless <c>settings</c> say otherwise.</summary>
public sealed class IptoApiFactory(string dataDir, IReadOnlyDictionary<string, string?>? settings = null, bool testCredentials = true) : WebApplicationFactory<Program>
{
    public static readonly Caller Alice = new("tnt_01alicealicealicealicealic", "usr_01alicealicealicealicealic", "user", ["datasets:read"], false);
    public static readonly Caller Bob = new("tnt_01bobbobbobbobbobbobbobbob", "usr_01bobbobbobbobbobbobbobbob", "user", ["datasets:read"], false);
    public static readonly Caller Admin = new("tnt_01platformplatformplatfo", "usr_01adminadminadminadminadm", "user", ["admin:*"], true);

    public TestEndpoints Endpoints { get; } = new();

    /// <summary>Services a test adds to the host (fault injection, fakes), after the Api's own.</summary>
    public Action<IServiceCollection>? ConfigureServices { get; init; }

    /// <summary>Every log line the host wrote, for tests that check what must never be logged.</summary>
    public CapturedLogs Logs { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        // Pinned, so that a shell holding the cluster environment of deploy/local/up.sh cannot switch these tests' mode.
        builder.UseSetting("Ipto:Mode", "embedded");
        builder.UseSetting("Ipto:Api:Role", "cohosted");
        builder.UseSetting("Ipto:ObjectStore:Provider", "local");
        builder.UseSetting("Ipto:DataDir", dataDir);
        builder.UseSetting("Ipto:Cluster:SiloPort", Ports.Free().ToString(System.Globalization.CultureInfo.InvariantCulture));
        builder.UseSetting("Ipto:Cluster:GatewayPort", Ports.Free().ToString(System.Globalization.CultureInfo.InvariantCulture));
        builder.UseSetting("Ipto:ObjectStore:PublicBaseUrl", "http://localhost/");
        // Cheap hashes and a roomy per-IP bucket keep the suite fast; dedicated tests check the real defaults.
        builder.UseSetting("Ipto:Identity:PasswordIterations", "1000");
        builder.UseSetting("Ipto:RateLimits:AuthPerIpPerMinute", "100000");
        builder.UseSetting("Ipto:Api:DrainPeriod", "00:00:00"); // every test host stops at once; the drain has its own test
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>()) builder.UseSetting(key, value);
        // Orleans reports every refused connection while a killed silo is declared dead; the tests assert on outcomes.
        builder.ConfigureLogging(logging =>
        {
            logging.AddFilter("Orleans", LogLevel.Error);
            logging.AddFilter<CapturedLogs>(null, LogLevel.Debug);
        });
        builder.ConfigureTestServices(services =>
        {
            services.AddSingleton<IEndpointContributor>(Endpoints);
            services.AddSingleton<IStartupFilter, DocumentedStatusGuard>();
            services.AddSingleton<ILoggerProvider>(Logs);
            ConfigureServices?.Invoke(services);
            if (!testCredentials) return;
            services.AddAuthentication(TestAuthHandler.SchemeName)
                .AddScheme<AuthenticationSchemeOptions, TestAuthHandler>(TestAuthHandler.SchemeName, o =>
                {
                    o.ForwardChallenge = Ipto.Api.Http.Auth.IptoAuthenticationHandler.SchemeName;
                    o.ForwardForbid = Ipto.Api.Http.Auth.IptoAuthenticationHandler.SchemeName;
                });
        });
    }

    public HttpClient ClientFor(Caller? caller)
    {
        var client = CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        if (caller is not null) client.DefaultRequestHeaders.Add(TestAuthHandler.Header, TestAuthHandler.HeaderValue(caller));
        return client;
    }
}
