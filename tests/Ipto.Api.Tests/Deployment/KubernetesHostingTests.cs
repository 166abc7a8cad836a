using System.Net;
using Ipto.Grains.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Orleans;
using Orleans.Configuration;
using Orleans.Runtime;
using Orleans.Hosting.Kubernetes;

namespace Ipto.Api.Tests.Deployment;

/// <summary>
/// <c>Ipto:Cluster:Kubernetes</c>: the silo takes its name and advertised address from the pod and listens on every
/// address at the configured ports, while clustering stays on the PostgreSQL membership table and the cluster's ids
/// stay IPTO's settings; and the manifests give the silo pods what Orleans' Kubernetes hosting reads.
/// </summary>
public sealed class KubernetesHostingTests
{
    private static readonly string[] OrleansVariables =
    [
        KubernetesHostingOptions.PodNameEnvironmentVariable, KubernetesHostingOptions.PodNamespaceEnvironmentVariable,
        KubernetesHostingOptions.PodIPEnvironmentVariable, KubernetesHostingOptions.ServiceIdEnvironmentVariable,
        KubernetesHostingOptions.ClusterIdEnvironmentVariable,
    ];

    private static Dictionary<string, string?> ClusterSettings(bool kubernetes) => new()
    {
        ["Ipto:Mode"] = "cluster",
        ["Ipto:Postgres:ConnectionString"] = "Host=db.invalid;Database=ipto",
        ["Ipto:Cluster:Kubernetes"] = kubernetes ? "true" : "false",
        ["Ipto:Cluster:SiloPort"] = "11112",
        ["Ipto:Cluster:GatewayPort"] = "30002",
        ["Ipto:Cluster:AdvertisedAddress"] = "192.0.2.7",
        ["Ipto:Cluster:ClusterId"] = "blue",
        ["Ipto:Cluster:ServiceId"] = "ipto-test",
    };

    [Fact]
    public void OnKubernetesTheSiloAdvertisesThePodAndListensOnEveryAddress()
    {
        using var pod = PodEnvironment.Set(("POD_NAME", "ipto-silo-7d9f-abcde"), ("POD_NAMESPACE", "ipto"), ("POD_IP", "10.244.1.17"));
        var (services, host) = BuildSilo(ClusterSettings(kubernetes: true));
        using (host)
        {
            var endpoints = host.Services.GetRequiredService<IOptions<EndpointOptions>>().Value;
            var cluster = host.Services.GetRequiredService<IOptions<Orleans.Configuration.ClusterOptions>>().Value;

            Assert.Equal(IPAddress.Parse("10.244.1.17"), endpoints.AdvertisedIPAddress);
            Assert.Equal((11112, 30002), (endpoints.SiloPort, endpoints.GatewayPort));
            Assert.Equal(new IPEndPoint(IPAddress.Any, 11112), endpoints.SiloListeningEndpoint);
            Assert.Equal(new IPEndPoint(IPAddress.Any, 30002), endpoints.GatewayListeningEndpoint);
            Assert.Equal("ipto-silo-7d9f-abcde", host.Services.GetRequiredService<IOptions<SiloOptions>>().Value.SiloName);
            Assert.Equal(("blue", "ipto-test"), (cluster.ClusterId, cluster.ServiceId));
            Assert.Contains(services, d => d.ServiceType == typeof(ILifecycleParticipant<ISiloLifecycle>) && d.ImplementationType == typeof(KubernetesClusterAgent));
            Assert.Equal("AdoNetClusteringTable", MembershipTable(services));
        }
    }

    [Fact]
    public void OnKubernetesTheConfiguredAddressIsNotAdvertisedEvenWithoutAPodIp()
    {
        using var pod = PodEnvironment.Set(("POD_NAME", "ipto-silo-7d9f-abcde"), ("POD_NAMESPACE", "ipto"));
        var (_, host) = BuildSilo(ClusterSettings(kubernetes: true));
        using (host)
        {
            var endpoints = host.Services.GetRequiredService<IOptions<EndpointOptions>>().Value;

            Assert.NotNull(endpoints.AdvertisedIPAddress);
            Assert.NotEqual(IPAddress.Parse("192.0.2.7"), endpoints.AdvertisedIPAddress);
            Assert.Equal(new IPEndPoint(IPAddress.Any, 11112), endpoints.SiloListeningEndpoint);
        }
    }

    [Fact]
    public void WithoutKubernetesTheSiloAdvertisesTheConfiguredAddress()
    {
        using var pod = PodEnvironment.Set(("POD_IP", "10.244.1.17"));
        var (services, host) = BuildSilo(ClusterSettings(kubernetes: false));
        using (host)
        {
            var endpoints = host.Services.GetRequiredService<IOptions<EndpointOptions>>().Value;

            Assert.Equal(IPAddress.Parse("192.0.2.7"), endpoints.AdvertisedIPAddress);
            Assert.Equal((11112, 30002), (endpoints.SiloPort, endpoints.GatewayPort));
            Assert.DoesNotContain(services, d => d.ImplementationType == typeof(KubernetesClusterAgent));
            Assert.Equal("AdoNetClusteringTable", MembershipTable(services));
        }
    }

    [Fact]
    public void EmbeddedModeRefusesKubernetesHosting()
    {
        var options = new IptoOptions { Cluster = { Kubernetes = true } };

        var refused = Assert.Throws<InvalidOperationException>(options.Validate);

        Assert.Contains("Ipto:Cluster:Kubernetes", refused.Message);
    }

    [Fact]
    public void KubernetesSilosGetThePodsNameNamespaceAndAddressFromTheDownwardApi()
    {
        var silos = KubernetesSilos();

        Assert.NotEmpty(silos);
        Assert.All(silos, silo =>
        {
            Assert.Equal("metadata.name", silo.FieldRefs.GetValueOrDefault(KubernetesHostingOptions.PodNameEnvironmentVariable));
            Assert.Equal("metadata.namespace", silo.FieldRefs.GetValueOrDefault(KubernetesHostingOptions.PodNamespaceEnvironmentVariable));
            Assert.Equal("status.podIP", silo.FieldRefs.GetValueOrDefault(KubernetesHostingOptions.PodIPEnvironmentVariable));
        });
    }

    [Fact]
    public void TheClusterIdsAreIptoSettingsAndThePodLabelsCarryTheSameValues()
    {
        var manifests = Manifests.Load();
        foreach (var silo in KubernetesSilos())
        {
            var options = SettingPaths.Bind(silo.Environment);
            var labels = manifests.Workloads.Single(w => w.Name == silo.Workload).PodLabels;

            // ORLEANS_SERVICE_ID / ORLEANS_CLUSTER_ID would override the ids the Api (an Orleans client) joins with.
            Assert.DoesNotContain(KubernetesHostingOptions.ServiceIdEnvironmentVariable, silo.Environment.Keys);
            Assert.DoesNotContain(KubernetesHostingOptions.ClusterIdEnvironmentVariable, silo.Environment.Keys);
            Assert.Equal(options.Cluster.ServiceId, labels.GetValueOrDefault(KubernetesHostingOptions.ServiceIdLabel));
            Assert.Equal(options.Cluster.ClusterId, labels.GetValueOrDefault(KubernetesHostingOptions.ClusterIdLabel));
        }
    }

    [Fact]
    public void KubernetesSilosRunAsAServiceAccountAllowedToReadWatchAndLabelPods()
    {
        var manifests = Manifests.Load();
        foreach (var silo in KubernetesSilos())
        {
            var spec = manifests.Workloads.Single(w => w.Name == silo.Workload).PodSpec;
            var account = Yaml.Scalar(spec, "serviceAccountName");
            Assert.NotNull(account);
            Assert.NotEqual("false", Yaml.Scalar(spec, "automountServiceAccountToken"));
            manifests.Object("ServiceAccount", account);

            var roles = manifests.OfKind("RoleBinding")
                .Where(b => Yaml.Sequence(b.Node, "subjects").Any(s => Yaml.Scalar(s, "kind") == "ServiceAccount" && Yaml.Scalar(s, "name") == account))
                .Select(b => manifests.Object(Yaml.Scalar(b.Node, "roleRef", "kind")!, Yaml.Scalar(b.Node, "roleRef", "name")!))
                .ToArray();
            var verbs = roles.SelectMany(r => Yaml.Sequence(r.Node, "rules"))
                .Where(rule => Yaml.Sequence(rule, "resources").Any(x => Yaml.Text(x) == "pods")
                    && Yaml.Sequence(rule, "apiGroups").Any(x => Yaml.Text(x) == ""))
                .SelectMany(rule => Yaml.Sequence(rule, "verbs").Select(Yaml.Text))
                .ToHashSet(StringComparer.Ordinal);

            Assert.Superset(new HashSet<string> { "get", "list", "watch", "patch" }, verbs);
        }
    }

    private static Container[] KubernetesSilos() => Manifests.Load().Containers
        .Where(c => c.Environment.GetValueOrDefault("Ipto__Cluster__Kubernetes") is { } on && bool.Parse(on))
        .ToArray();

    private static string? MembershipTable(IServiceCollection services) =>
        services.LastOrDefault(d => d.ServiceType == typeof(IMembershipTable))?.ImplementationType?.Name;

    private static (IServiceCollection Services, IHost Host) BuildSilo(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.UseOrleans(silo => silo.UseIpto(builder.Configuration));
        return (builder.Services, builder.Build());
    }

    /// <summary>Sets the pod's variables for one test and restores the process's own afterwards (the assembly runs tests one at a time).</summary>
    private sealed class PodEnvironment : IDisposable
    {
        private readonly Dictionary<string, string?> _saved = OrleansVariables.ToDictionary(n => n, Environment.GetEnvironmentVariable);

        public static PodEnvironment Set(params (string Name, string Value)[] variables)
        {
            var scope = new PodEnvironment();
            foreach (var name in OrleansVariables) Environment.SetEnvironmentVariable(name, null);
            foreach (var (name, value) in variables) Environment.SetEnvironmentVariable(name, value);
            return scope;
        }

        public void Dispose()
        {
            foreach (var (name, value) in _saved) Environment.SetEnvironmentVariable(name, value);
        }
    }
}
