using System.Net;
using Ipto.Api.Tests.Support;
using Ipto.Grains.Hosting;
using Microsoft.AspNetCore.Http.Metadata;

namespace Ipto.Api.Tests.Deployment;

/// <summary>
/// Probes, health checks and ports against what the processes serve: liveness on <c>/health</c>, readiness on
/// <c>/health/ready</c> (routes the Api maps), the Api probed on its main port (<c>ASPNETCORE_URLS</c>), the silo on the
/// management listener (<c>Ipto__Management__Urls</c>), and every declared port equal to the setting that opens it.
/// </summary>
public sealed class DeploymentProbeTests(ApiFixture api) : IClassFixture<ApiFixture>
{
    private const string Liveness = "/health";
    private const string Readiness = "/health/ready";
    private const string ManagementPort = "management";
    private const string HttpPort = "http";

    private IReadOnlySet<string> MappedGetRoutes() => api.Factory.Services.GetRequiredService<EndpointDataSource>().Endpoints
        .OfType<RouteEndpoint>()
        .Where(e => e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods.Contains("GET") == true)
        .Select(e => "/" + e.RoutePattern.RawText!.Trim('/'))
        .ToHashSet(StringComparer.Ordinal);

    [Fact]
    public void TheApiMapsTheProbePaths()
    {
        var routes = MappedGetRoutes();

        Assert.Contains(Liveness, routes);
        Assert.Contains(Readiness, routes);
    }

    [Fact]
    public void EveryContainerProbesLivenessOnHealthAndReadinessOnHealthReady()
    {
        var routes = MappedGetRoutes();
        foreach (var container in Manifests.Load().Containers)
        {
            Assert.Contains(container.Probes, p => p.Kind == "livenessProbe");
            Assert.Contains(container.Probes, p => p.Kind == "readinessProbe");
            foreach (var probe in container.Probes)
            {
                Assert.Equal(probe.Kind == "readinessProbe" ? Readiness : Liveness, probe.Path);
                Assert.Contains(probe.Path, routes);
            }
        }
    }

    [Fact]
    public void TheApiIsProbedOnItsMainPortAndTheSiloOnItsManagementPort()
    {
        foreach (var container in Manifests.Load().Containers)
        {
            var expected = DeploymentImageTests.TargetOf(container) == DeploymentImageTests.ApiTarget
                ? ListenPort(container.Environment, "ASPNETCORE_URLS")
                : ListenPort(container.Environment, "Ipto__Management__Urls");

            Assert.All(container.Probes, p => Assert.Equal(expected, p.Port));
        }
    }

    [Fact]
    public void ContainerPortsAreThePortsTheSettingsOpen()
    {
        foreach (var container in Manifests.Load().Containers)
        {
            var options = SettingPaths.Bind(container.Environment);
            Assert.Equal(ListenPort(container.Environment, "Ipto__Management__Urls"), container.Port(ManagementPort));
            if (DeploymentImageTests.TargetOf(container) == DeploymentImageTests.ApiTarget)
            {
                Assert.Equal(ListenPort(container.Environment, "ASPNETCORE_URLS"), container.Port(HttpPort));
            }
            else
            {
                Assert.Equal(options.Cluster.SiloPort, container.Port("silo"));
                Assert.Equal(options.Cluster.GatewayPort, container.Port("gateway"));
            }
        }
    }

    [Fact]
    public void ContainersListenBeyondLoopbackSoTheKubeletAndPeersReachThem()
    {
        foreach (var container in Manifests.Load().Containers)
        {
            foreach (var name in new[] { "ASPNETCORE_URLS", "Ipto__Management__Urls" })
            {
                if (container.Environment.GetValueOrDefault(name) is not { } urls) continue;
                Assert.All(Urls(urls), url => Assert.False(IsLoopback(url), $"{container.Workload}: {name}={urls} is loopback only"));
            }
        }
    }

    [Fact]
    public void ScrapeAnnotationsNameTheManagementPort()
    {
        foreach (var workload in Manifests.Load().Workloads)
        {
            if (!workload.PodAnnotations.TryGetValue("prometheus.io/port", out var port)) continue;
            Assert.Equal(workload.Containers.Single().Port(ManagementPort).ToString(System.Globalization.CultureInfo.InvariantCulture), port);
            Assert.Equal("/metrics", workload.PodAnnotations["prometheus.io/path"]);
        }
    }

    [Fact]
    public void ServicesSelectAWorkloadAndTargetPortsItsContainersDeclare()
    {
        var manifests = Manifests.Load();
        foreach (var service in manifests.OfKind("Service"))
        {
            var selector = Yaml.Map(service.Node, "spec", "selector");
            var workload = manifests.Workloads.Single(w => selector.All(s => w.PodLabels.GetValueOrDefault(s.Key) == s.Value));
            var ports = workload.Containers.SelectMany(c => c.Ports).ToArray();
            foreach (var port in Yaml.Sequence(service.Node, "spec", "ports"))
            {
                var target = Yaml.Scalar(port, "targetPort") ?? Yaml.Scalar(port, "port")!;
                Assert.Contains(ports, p => p.Name == target || p.Number.ToString(System.Globalization.CultureInfo.InvariantCulture) == target);
            }
        }
    }

    [Fact]
    public void PodDisruptionBudgetsCoverEveryWorkload()
    {
        var manifests = Manifests.Load();
        var budgets = manifests.OfKind("PodDisruptionBudget").Select(b => Yaml.Map(b.Node, "spec", "selector", "matchLabels")).ToArray();

        Assert.All(manifests.Workloads, w => Assert.Contains(budgets, b => b.Count > 0 && b.All(l => w.PodLabels.GetValueOrDefault(l.Key) == l.Value)));
    }

    [Fact]
    public void GracePeriodsOutlastTheApisDrain()
    {
        foreach (var workload in Manifests.Load().Workloads)
        {
            var options = SettingPaths.Bind(workload.Containers.Single().Environment);
            var grace = TimeSpan.FromSeconds(Yaml.Int(workload.PodSpec, "terminationGracePeriodSeconds"));

            Assert.True(grace > options.Api.DrainPeriod + TimeSpan.FromSeconds(5),
                $"{workload.Name}: terminationGracePeriodSeconds {grace.TotalSeconds} s leaves no time after the drain of {options.Api.DrainPeriod}");
        }
    }

    [Theory]
    [InlineData(DeploymentImageTests.ApiTarget)]
    [InlineData(DeploymentImageTests.SiloTarget)]
    public void EachImageChecksLivenessOnItsProbePortAndExposesItsPorts(string target)
    {
        var dockerfile = DockerfileModel.Load();
        var environment = dockerfile.Environment(target);
        var options = SettingPaths.Bind(environment);
        var management = ListenPort(environment, "Ipto__Management__Urls");
        var exposed = dockerfile.Exposed(target);
        var check = dockerfile.HealthcheckUrl(target);

        Assert.NotNull(check);
        Assert.Equal(Liveness, check.AbsolutePath);
        Assert.True(IPAddress.IsLoopback(IPAddress.Parse(check.Host)), $"the HEALTHCHECK of {target} runs inside the container: {check}");
        Assert.Contains(management, exposed);
        if (target == DeploymentImageTests.ApiTarget)
        {
            Assert.Equal(ListenPort(environment, "ASPNETCORE_URLS"), check.Port);
            Assert.Contains(check.Port, exposed);
        }
        else
        {
            Assert.Equal(management, check.Port);
            Assert.Contains(options.Cluster.SiloPort, exposed);
            Assert.Contains(options.Cluster.GatewayPort, exposed);
        }
    }

    private static int ListenPort(IReadOnlyDictionary<string, string?> environment, string name)
    {
        var urls = environment.GetValueOrDefault(name);
        Assert.False(string.IsNullOrWhiteSpace(urls), $"{name} is not set");
        return Urls(urls).Select(u => u.Port).Distinct().Single();
    }

    private static IEnumerable<Uri> Urls(string urls) => urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
        .Select(u => new Uri(u.Replace("://*", "://0.0.0.0", StringComparison.Ordinal).Replace("://+", "://0.0.0.0", StringComparison.Ordinal)));

    private static bool IsLoopback(Uri url) =>
        url.IsLoopback || (IPAddress.TryParse(url.Host, out var address) && IPAddress.IsLoopback(address));
}
