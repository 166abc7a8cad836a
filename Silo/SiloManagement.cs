using Ipto.Diagnostics;
using Ipto.Grains.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Http.Features;

namespace Ipto.Silo;

/// <summary>
/// The silo's operators' listener: <c>/health</c> (the process runs), <c>/health/ready</c> (this silo answers a grain
/// call and the database and object store answer its dependency probe) and <c>/metrics</c> (Prometheus).
/// </summary>
public static class SiloManagement
{
    private static readonly TimeSpan CheckTimeout = TimeSpan.FromSeconds(4);

    public static WebApplication MapSiloManagement(this WebApplication app)
    {
        app.MapGet("/health", () => Results.Json(new { status = "healthy" }));
        app.MapGet("/health/ready", ReadyAsync);
        app.MapPrometheusScrapingEndpoint(IptoTelemetry.MetricsPath);
        return app;
    }

    private static async Task<IResult> ReadyAsync(IGrainFactory grains, ILoggerFactory loggers)
    {
        using var timeout = new CancellationTokenSource(CheckTimeout);
        try
        {
            var health = await grains.GetGrain<IDependencyProbeGrain>(0).Check().WaitAsync(timeout.Token);
            var checks = new Dictionary<string, string>
            {
                ["silo"] = "healthy",
                ["database"] = health.Database ? "healthy" : "unhealthy",
                ["object_store"] = health.ObjectStore ? "healthy" : "unhealthy",
            };
            var ready = health.Database && health.ObjectStore;
            return Results.Json(new { status = ready ? "healthy" : "unhealthy", checks }, statusCode: ready ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
        }
        catch (Exception e)
        {
            loggers.CreateLogger("Ipto.Readiness").LogWarning("Readiness check failed: {Reason}", e.GetType().Name);
            return Results.Json(new { status = "unhealthy", checks = new Dictionary<string, string> { ["silo"] = "unhealthy" } }, statusCode: StatusCodes.Status503ServiceUnavailable);
        }
    }
}

/// <summary>A server that listens nowhere: the silo's web host without a management listener.</summary>
internal sealed class NoServer : IServer
{
    public IFeatureCollection Features { get; } = new FeatureCollection();

    public Task StartAsync<TContext>(IHttpApplication<TContext> application, CancellationToken cancellationToken) where TContext : notnull => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose()
    {
    }
}
