namespace Ipto.Api.Tests.Deployment;

/// <summary>Every environment variable the Dockerfile and the Kubernetes manifests set is a setting something reads.</summary>
public sealed class DeploymentSettingsTests
{
    private const string IptoPrefix = "Ipto__";

    /// <summary>The variables that are not IPTO settings, each with who reads it.</summary>
    private static readonly (string Name, string Reason)[] OtherVariables =
    [
        ("ASPNETCORE_URLS", "Kestrel's listen addresses: the `urls` row of README's Configuration table"),
        ("ASPNETCORE_HTTP_PORTS", "emptied in the image, so the base image's default (8080) adds no second listener"),
        ("DOTNET_*", "the .NET runtime's own settings (GC, diagnostics)"),
        ("POD_NAME", "Orleans' Kubernetes hosting: the silo's name, matched to its pod"),
        ("POD_NAMESPACE", "Orleans' Kubernetes hosting: the namespace whose silo pods it watches"),
        ("POD_IP", "Orleans' Kubernetes hosting: the address the silo advertises"),
        ("OTEL_EXPORTER_OTLP_ENDPOINT", "the OpenTelemetry SDK's exporter endpoint"),
        ("OTEL_SERVICE_NAME", "the OpenTelemetry SDK's service name"),
        ("Logging__*", "Microsoft.Extensions.Logging's section (log levels per category)"),
    ];

    public static TheoryData<string, string> Variables()
    {
        var data = new TheoryData<string, string>();
        foreach (var name in DockerfileModel.Load().EnvironmentNames()) data.Add("Dockerfile", name);
        foreach (var (source, name) in Manifests.Load().EnvironmentNames()) data.Add(source, name);
        return data;
    }

    [Theory]
    [MemberData(nameof(Variables))]
    public void EachVariableIsASettingOrAnAllowedVariableOfTheRuntime(string source, string name)
    {
        if (name.StartsWith(IptoPrefix, StringComparison.OrdinalIgnoreCase))
        {
            Assert.True(SettingPaths.IsLeaf(SettingPaths.FromEnvironmentName(name)),
                $"{source} sets {name}, which maps to no setting of IptoOptions (README \"Configuration\")");
            return;
        }

        Assert.True(OtherVariables.Any(v => Matches(v.Name, name)),
            $"{source} sets {name}: neither an Ipto__ setting nor one of the allowed variables ({string.Join(", ", OtherVariables.Select(v => v.Name))})");
    }

    [Fact]
    public void TheManifestsSetVariablesTheTestsRecognise()
    {
        var names = Manifests.Load().EnvironmentNames().Select(n => n.Name).ToArray();

        Assert.Contains("Ipto__Mode", names);
        Assert.Contains("Ipto__Cluster__Kubernetes", names);
        Assert.Contains("POD_IP", names);
    }

    [Fact]
    public void EachContainerEnvironmentBindsAndValidatesAsAtStartUp()
    {
        var manifests = Manifests.Load();
        var dockerfile = DockerfileModel.Load();
        Assert.NotEmpty(manifests.Containers);
        foreach (var container in manifests.Containers)
        {
            var target = DeploymentImageTests.TargetOf(container);
            var environment = new Dictionary<string, string?>(dockerfile.Environment(target), StringComparer.Ordinal);
            foreach (var (name, value) in container.Environment) environment[name] = value;

            var exception = Record.Exception(() => SettingPaths.Bind(environment));

            Assert.True(exception is null, $"{container.Workload}: {exception?.Message}");
        }
    }

    [Fact]
    public void SilosRunKubernetesHostingAndTheApiJoinsThemAsAClient()
    {
        var manifests = Manifests.Load();

        var silo = SettingPaths.Bind(manifests.Containers.Single(c => DeploymentImageTests.TargetOf(c) == DeploymentImageTests.SiloTarget).Environment);
        var api = SettingPaths.Bind(manifests.Containers.Single(c => DeploymentImageTests.TargetOf(c) == DeploymentImageTests.ApiTarget).Environment);

        Assert.True(silo.IsCluster && silo.Cluster.Kubernetes && silo.ObjectStore.IsS3);
        Assert.True(api.IsCluster && api.Api.IsClient && api.ObjectStore.IsS3);
        Assert.Equal((silo.Cluster.ClusterId, silo.Cluster.ServiceId), (api.Cluster.ClusterId, api.Cluster.ServiceId));
    }

    private static bool Matches(string pattern, string name) => pattern.EndsWith('*')
        ? name.StartsWith(pattern[..^1], StringComparison.Ordinal)
        : string.Equals(pattern, name, StringComparison.Ordinal);
}
