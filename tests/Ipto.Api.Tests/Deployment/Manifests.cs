using YamlDotNet.RepresentationModel;

namespace Ipto.Api.Tests.Deployment;

internal sealed record Probe(string Kind, string Path, int Port);

internal sealed record ContainerPort(string? Name, int Number);

/// <summary>A container of a workload, its environment resolved as the kubelet does (<c>envFrom</c>, then <c>env</c>).</summary>
internal sealed record Container(
    string Workload,
    string Name,
    string Image,
    IReadOnlyDictionary<string, string?> Environment,
    IReadOnlyDictionary<string, string> FieldRefs,
    IReadOnlyList<ContainerPort> Ports,
    IReadOnlyList<Probe> Probes)
{
    public int Port(string name) => Ports.Single(p => p.Name == name).Number;
}

internal sealed record Workload(
    string Kind,
    string Name,
    IReadOnlyDictionary<string, string> PodLabels,
    IReadOnlyDictionary<string, string> PodAnnotations,
    YamlMappingNode PodSpec,
    IReadOnlyList<Container> Containers);

internal sealed record K8sObject(string Kind, string Name, YamlMappingNode Node);

/// <summary>The manifests <c>deploy/k8s/kustomization.yaml</c> lists, parsed with YamlDotNet.</summary>
internal sealed class Manifests
{
    public const string Directory = "deploy/k8s";

    private Manifests(IReadOnlyList<string> resources, IReadOnlyList<K8sObject> objects, YamlMappingNode kustomization)
    {
        Resources = resources;
        Objects = objects;
        Kustomization = kustomization;
        Workloads = objects.Where(o => o.Kind is "Deployment" or "StatefulSet").Select(ReadWorkload).ToArray();
    }

    public IReadOnlyList<string> Resources { get; }

    public IReadOnlyList<K8sObject> Objects { get; }

    public YamlMappingNode Kustomization { get; }

    public IReadOnlyList<Workload> Workloads { get; }

    public IEnumerable<Container> Containers => Workloads.SelectMany(w => w.Containers);

    public static Manifests Load()
    {
        var kustomization = Documents(Path.Combine(Directory, "kustomization.yaml")).Single();
        var resources = Yaml.Sequence(kustomization, "resources").Select(Yaml.Text).ToArray();
        var objects = resources.SelectMany(r => Documents(Path.Combine(Directory, r)))
            .Select(d => new K8sObject(Yaml.Scalar(d, "kind")!, Yaml.Scalar(d, "metadata", "name")!, d))
            .ToArray();
        return new Manifests(resources, objects, kustomization);
    }

    public IEnumerable<K8sObject> OfKind(string kind) => Objects.Where(o => o.Kind == kind);

    public K8sObject Object(string kind, string name)
    {
        var found = Objects.SingleOrDefault(o => o.Kind == kind && o.Name == name);
        Assert.True(found is not null, $"no {kind} {name} in {Directory}");
        return found;
    }

    /// <summary>The variables a ConfigMap or Secret holds (data, and a Secret's stringData).</summary>
    public IReadOnlyDictionary<string, string?> Data(string kind, string name)
    {
        var node = Object(kind, name).Node;
        var data = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var section in new[] { "data", "stringData" })
        {
            if (Yaml.Child(node, section) is YamlMappingNode map)
                foreach (var (key, value) in map.Children) data[Yaml.Text(key)] = Yaml.Text(value);
        }

        return data;
    }

    /// <summary>Every environment variable the manifests define: keys of the ConfigMaps and Secrets, and <c>env</c> entries.</summary>
    public IReadOnlyList<(string Source, string Name)> EnvironmentNames() =>
        OfKind("ConfigMap").Concat(OfKind("Secret"))
            .SelectMany(o => Data(o.Kind, o.Name).Keys.Select(k => ($"{o.Kind} {o.Name}", k)))
            .Concat(Workloads.SelectMany(w => Yaml.Sequence(w.PodSpec, "containers").OfType<YamlMappingNode>()
                .SelectMany(c => Yaml.Sequence(c, "env").OfType<YamlMappingNode>()
                    .Select(e => ($"{w.Kind} {w.Name}", Yaml.Scalar(e, "name")!)))))
            .ToArray();

    private Workload ReadWorkload(K8sObject workload)
    {
        var template = (YamlMappingNode)Yaml.Child(workload.Node, "spec", "template")!;
        var spec = (YamlMappingNode)Yaml.Child(template, "spec")!;
        var containers = Yaml.Sequence(spec, "containers").OfType<YamlMappingNode>().Select(c => ReadContainer(workload.Name, c)).ToArray();
        return new Workload(workload.Kind, workload.Name, Yaml.Map(template, "metadata", "labels"), Yaml.Map(template, "metadata", "annotations"), spec, containers);
    }

    private Container ReadContainer(string workload, YamlMappingNode container)
    {
        var environment = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var source in Yaml.Sequence(container, "envFrom").OfType<YamlMappingNode>())
        {
            if (Yaml.Scalar(source, "configMapRef", "name") is { } configMap)
                foreach (var (k, v) in Data("ConfigMap", configMap)) environment[k] = v;
            if (Yaml.Scalar(source, "secretRef", "name") is { } secret)
                foreach (var (k, v) in Data("Secret", secret)) environment[k] = v;
        }

        var fieldRefs = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var variable in Yaml.Sequence(container, "env").OfType<YamlMappingNode>())
        {
            var name = Yaml.Scalar(variable, "name")!;
            environment[name] = Yaml.Scalar(variable, "value");
            if (Yaml.Scalar(variable, "valueFrom", "fieldRef", "fieldPath") is { } fieldPath) fieldRefs[name] = fieldPath;
        }

        var ports = Yaml.Sequence(container, "ports").OfType<YamlMappingNode>()
            .Select(p => new ContainerPort(Yaml.Scalar(p, "name"), Yaml.Int(p, "containerPort")))
            .ToArray();
        var probes = new List<Probe>();
        foreach (var kind in new[] { "startupProbe", "livenessProbe", "readinessProbe" })
        {
            if (Yaml.Child(container, kind) is not YamlMappingNode probe) continue;
            var path = Yaml.Scalar(probe, "httpGet", "path");
            Assert.True(path is not null, $"{workload}: the {kind} is not an httpGet probe");
            var port = Yaml.Scalar(probe, "httpGet", "port")!;
            var number = int.TryParse(port, out var n) ? n : ports.SingleOrDefault(p => p.Name == port)?.Number
                ?? throw new InvalidOperationException($"{workload}: the {kind} names port '{port}', which the container does not declare");
            probes.Add(new Probe(kind, path, number));
        }

        return new Container(workload, Yaml.Scalar(container, "name")!, Yaml.Scalar(container, "image")!, environment, fieldRefs, ports, probes);
    }

    private static IReadOnlyList<YamlMappingNode> Documents(string relative)
    {
        var stream = new YamlStream();
        using (var reader = new StringReader(RepoFiles.Read(relative))) stream.Load(reader);
        return stream.Documents.Select(d => d.RootNode).OfType<YamlMappingNode>().ToArray();
    }
}

/// <summary>Small readers over YamlDotNet's representation model.</summary>
internal static class Yaml
{
    public static YamlNode? Child(YamlNode node, params string[] path)
    {
        foreach (var key in path)
        {
            if (node is not YamlMappingNode map || !map.Children.TryGetValue(new YamlScalarNode(key), out var next)) return null;
            node = next;
        }

        return node;
    }

    public static string? Scalar(YamlNode node, params string[] path) => (Child(node, path) as YamlScalarNode)?.Value;

    public static int Int(YamlNode node, params string[] path) =>
        int.Parse(Scalar(node, path) ?? throw new InvalidOperationException($"no {string.Join('.', path)}"), System.Globalization.CultureInfo.InvariantCulture);

    public static IReadOnlyList<YamlNode> Sequence(YamlNode node, params string[] path) =>
        Child(node, path) is YamlSequenceNode sequence ? sequence.Children.ToArray() : [];

    public static IReadOnlyDictionary<string, string> Map(YamlNode node, params string[] path) =>
        Child(node, path) is YamlMappingNode map
            ? map.Children.ToDictionary(c => Text(c.Key), c => Text(c.Value), StringComparer.Ordinal)
            : new Dictionary<string, string>();

    public static string Text(YamlNode node) => node is YamlScalarNode scalar ? scalar.Value ?? "" : throw new InvalidOperationException($"not a scalar: {node}");
}
