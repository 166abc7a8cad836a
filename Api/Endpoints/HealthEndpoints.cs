using System.Reflection;
using Ipto.Api.Http;
using Ipto.Diagnostics;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Ipto.Api.Endpoints;

public sealed record HealthResponse(string Status, string Version);

public sealed record ReadinessResponse(string Status, IReadOnlyDictionary<string, string> Checks);

/// <summary><c>/health</c> (liveness, no dependencies) and <c>/health/ready</c> (silo, database, object store; 503 while the node drains).</summary>
public static class HealthEndpoints
{
    private static readonly TimeSpan CheckTimeout = TimeSpan.FromSeconds(4);

    public static readonly string Version =
        typeof(HealthEndpoints).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    public static IEndpointRouteBuilder MapHealthEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/health").WithTags("Health").AllowAnonymous();
        group.MapGet("", () => TypedResults.Ok(new HealthResponse("healthy", Version))).WithName("Health")
            .WithSummary("Liveness")
            .WithDescription("Answers while the process runs, with the API version; no credential, no envelope.");
        group.MapGet("/ready", ReadyAsync).WithName("Readiness")
            .WithSummary("Readiness")
            .WithDescription("200 only when the silo, the database and the object store answer; 503 with the failing checks otherwise, or while the node drains.");
        return app;
    }

    private static async Task<Results<Ok<ReadinessResponse>, JsonHttpResult<ReadinessResponse>>> ReadyAsync(
        IGrainFactory grains, ILoggerFactory loggers, Draining draining)
    {
        if (draining.IsDraining)
            return TypedResults.Json(new ReadinessResponse("draining", new Dictionary<string, string> { ["node"] = "stopping" }), statusCode: StatusCodes.Status503ServiceUnavailable);
        var logger = loggers.CreateLogger("Ipto.Readiness");
        var silo = CheckAsync("silo", async ct => (await grains.GetGrain<IPingGrain>(0).Ping().WaitAsync(ct)).Length > 0, logger, false);
        // The silo that answers probes the database and the object store; without one they count as unreachable.
        var dependencies = CheckAsync("dependencies", async ct =>
        {
            var health = await grains.GetGrain<IDependencyProbeGrain>(0).Check().WaitAsync(ct);
            return (health.Database, health.ObjectStore);
        }, logger, (false, false));
        var siloOk = await silo;
        var (database, objectStore) = await dependencies;
        var checks = new Dictionary<string, string> { ["silo"] = State(siloOk), ["database"] = State(database), ["object_store"] = State(objectStore) };
        return siloOk && database && objectStore
            ? TypedResults.Ok(new ReadinessResponse("healthy", checks))
            : TypedResults.Json(new ReadinessResponse("unhealthy", checks), statusCode: StatusCodes.Status503ServiceUnavailable);
    }

    private static string State(bool ok) => ok ? "healthy" : "unhealthy";

    private static async Task<T> CheckAsync<T>(string name, Func<CancellationToken, Task<T>> check, ILogger logger, T failed)
    {
        // The probe's own timeouts plus a margin for the call to reach a silo.
        using var timeout = new CancellationTokenSource(CheckTimeout);
        try
        {
            return await check(timeout.Token).WaitAsync(timeout.Token);
        }
        catch (Exception e)
        {
            logger.LogWarning("Readiness check {Check} failed: {Reason}", name, e.GetType().Name);
            return failed;
        }
    }
}
