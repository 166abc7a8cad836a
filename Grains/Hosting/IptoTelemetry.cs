using Ipto.Grains.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Ipto.Grains.Hosting;

/// <summary>
/// Metrics and traces of an Api or silo process, one way for both: ASP.NET Core, the Orleans meter and activity
/// sources, Npgsql, the runtime and the <c>Ipto</c> business meter, read by the Prometheus scrape endpoint; OTLP export
/// of both, and traces (HTTP spans joined to grain spans), only when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set (the exporter reads the standard <c>OTEL_*</c> variables).
/// </summary>
public static class IptoTelemetry
{
    public const string OtlpEndpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";
    public const string MetricsPath = "/metrics";

    private static readonly string[] OrleansSources = ["Microsoft.Orleans.Runtime", "Microsoft.Orleans.Application"];

    public static IServiceCollection AddIptoTelemetry(this IServiceCollection services, IConfiguration configuration, string serviceName)
    {
        services.AddSingleton<OperationalGauges>();
        var telemetry = services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(serviceName))
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddRuntimeInstrumentation()
                .AddNpgsqlInstrumentation()
                .AddMeter("Microsoft.Orleans", IptoMetrics.MeterName)
                .AddInstrumentation(sp => sp.GetRequiredService<OperationalGauges>())
                .AddPrometheusExporter());
        // Spans cost on every request and grain call even when nobody reads them, so they are made only for an exporter.
        if (string.IsNullOrWhiteSpace(configuration[OtlpEndpointVariable])) return services;
        telemetry.WithTracing(tracing => tracing
                .AddAspNetCoreInstrumentation()
                .AddSource(OrleansSources)
                .AddNpgsql())
            .UseOtlpExporter();
        return services;
    }
}
