using Ipto.Api.Endpoints;
using Ipto.Api.Hosting;
using Ipto.Api.Http;
using Ipto.Api.Http.Auth;
using Ipto.Api.Http.Idempotency;
using Ipto.Api.Http.OpenApi;
using Ipto.Grains.Hosting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.DataProtection;
using Orleans.Dashboard;

// Settings (appsettings.json) are read from beside the binary whichever directory the Api is started from; the working
// directory is only where a relative Ipto:DataDir lives (README "Configuration").
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });

const string DefaultUrl = "http://127.0.0.1:5080";
var urls = builder.Configuration["urls"];
if (string.IsNullOrWhiteSpace(urls)) urls = DefaultUrl;

// The local object store presigns URLs on this Api; unless told otherwise they use the first address it listens on.
builder.Configuration["Ipto:ObjectStore:PublicBaseUrl"] ??= PublicBaseUrl(urls);
var ipto = builder.Configuration.ReadIptoOptions();
var management = ManagementListener.Parse(ipto.Management.Urls);
builder.WebHost.UseUrls(management is null ? urls : urls + ";" + ipto.Management.Urls);
builder.Logging.AddIptoConsole(ipto);

builder.WebHost.ConfigureKestrel(k =>
{
    k.Limits.MaxRequestBodySize = RequestBody.MaxBytes;
    k.Limits.MaxRequestLineSize = KestrelRejections.MaxRequestLineBytes;
    k.Limits.MaxRequestHeadersTotalSize = KestrelRejections.MaxRequestHeadersBytes;
    k.ConfigureEndpointDefaults(listen => listen.UseErrorEnvelopes());
});
builder.Services.AddIptoInfrastructure(builder.Configuration);
builder.Services.AddIptoTelemetry(builder.Configuration, "ipto-api");
if (ipto.Api.IsClient)
    builder.UseOrleansClient(client => client.UseIptoClient(builder.Configuration));
else
    builder.UseOrleans(silo => silo.UseIpto(builder.Configuration));

builder.Services.ConfigureHttpJsonOptions(o => ApiJson.Configure(o.SerializerOptions));
builder.Services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
builder.Services.AddAuthentication(IptoAuthenticationHandler.SchemeName)
    .AddScheme<AuthenticationSchemeOptions, IptoAuthenticationHandler>(IptoAuthenticationHandler.SchemeName, null);
builder.Services.AddAuthorization();
// Nothing here protects data with ASP.NET Data Protection (tokens and keys are hashed, presigned URLs HMAC-signed by
// Ipto); authentication registers it anyway, and its default key ring writes unencrypted key files to the user's home
// and warns at every start. In-memory keys make it do neither.
builder.Services.AddDataProtection().UseEphemeralDataProtectionProvider();
builder.Services.AddSingleton(sp => new Draining(ipto.Api.DrainPeriod, sp.GetRequiredService<ILogger<Draining>>()));
builder.Services.AddHostedService(sp => sp.GetRequiredService<Draining>());
builder.Services.AddSingleton<IdempotencyFilter>();
builder.Services.AddSingleton(ipto.ObjectStore.IsLocal ? new LargeBodyRoutes(LocalObjectStoreEndpoints.RoutePattern) : new LargeBodyRoutes());
builder.Services.AddIptoOpenApi();
builder.Logging.AddFilter("Polly", LogLevel.Warning);

var app = builder.Build();

app.UseMiddleware<RequestIdMiddleware>();
app.UseMiddleware<ErrorHandlingMiddleware>();
app.UseMiddleware<BodyLimitMiddleware>();
app.UseRouting();
app.UseAuthentication();
app.UseAuthorization();
app.UseMiddleware<AccessRequirementsMiddleware>();

app.MapHealthEndpoints();
app.MapIptoApiDocs();
// The scrape endpoint and the dashboard: on the management listener without a credential when there is one, else
// (metrics) for platform admins only; the dashboard always for platform admins.
if (management is not null) app.MapPrometheusScrapingEndpoint(IptoTelemetry.MetricsPath).RequireHost(management.HostPattern).ExcludeFromDescription();
else app.MapPrometheusScrapingEndpoint(IptoTelemetry.MetricsPath).RequireAuthorization().RequirePlatformAdmin().ExcludeFromDescription();
app.MapOrleansDashboard("/dashboard").RequireAuthorization().RequirePlatformAdmin().ExcludeFromDescription();
if (ipto.ObjectStore.IsLocal) app.MapLocalObjectStoreEndpoints();

var v1 = app.MapGroup("/v1").RequireAuthorization().AddEndpointFilter<TransientRetryFilter>();
v1.MapAuthEndpoints();
v1.MapMeEndpoints();
v1.MapApiKeysEndpoints();
v1.MapTenantEndpoints();
v1.MapDatasetsEndpoints();
v1.MapCatalogEndpoints();
v1.MapUploadsEndpoints();
v1.MapObjectsEndpoints();
v1.MapReviewEndpoints();
v1.MapActivityEndpoints();
v1.MapBuyerEndpoints();
v1.MapSearchEndpoints();
v1.MapBillingEndpoints();
v1.MapAnalyticsEndpoints();
v1.MapPayoutsEndpoints();
v1.MapWebhooksEndpoints();
v1.MapJobsEndpoints();
foreach (var contributor in app.Services.GetServices<IEndpointContributor>()) contributor.Map(v1);

app.Run();

static string PublicBaseUrl(string urls)
{
    var first = urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)[0];
    return first.Replace("://*", "://127.0.0.1", StringComparison.Ordinal)
        .Replace("://+", "://127.0.0.1", StringComparison.Ordinal)
        .Replace("://0.0.0.0", "://127.0.0.1", StringComparison.Ordinal)
        .TrimEnd('/') + "/";
}

/// <summary>Entry point marker for WebApplicationFactory.</summary>
public partial class Program;
