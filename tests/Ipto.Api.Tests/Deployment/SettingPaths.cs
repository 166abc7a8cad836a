using System.Reflection;
using Ipto.Grains.Hosting;
using Microsoft.Extensions.Configuration;

namespace Ipto.Api.Tests.Deployment;

/// <summary>The settings <see cref="IptoOptions"/> binds, as configuration paths (<c>Ipto:Cluster:SiloPort</c>).</summary>
internal static class SettingPaths
{
    /// <summary>Every leaf setting: a public read-write property whose type is not one of the options classes.</summary>
    public static IReadOnlyList<string> Leaves { get; } = Walk(typeof(IptoOptions), IptoOptions.Section).ToArray();

    /// <summary>The settings and the sections above them (<c>Ipto:Cluster</c>).</summary>
    public static IReadOnlySet<string> LeavesAndSections { get; } = Leaves
        .SelectMany(leaf => Enumerable.Range(2, leaf.Split(':').Length - 1).Select(n => string.Join(':', leaf.Split(':').Take(n))))
        .ToHashSet(StringComparer.OrdinalIgnoreCase);

    /// <summary><c>Ipto__Cluster__SiloPort</c> → <c>Ipto:Cluster:SiloPort</c>, as the environment configuration provider maps it.</summary>
    public static string FromEnvironmentName(string name) => name.Replace("__", ":", StringComparison.Ordinal);

    public static bool IsLeaf(string path) => Leaves.Contains(path, StringComparer.OrdinalIgnoreCase);

    /// <summary>Binds and validates environment variables as the Api and the silo do at start-up.</summary>
    public static IptoOptions Bind(IReadOnlyDictionary<string, string?> environment)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(environment.Select(e => KeyValuePair.Create(FromEnvironmentName(e.Key), e.Value)))
            .Build();
        return configuration.ReadIptoOptions();
    }

    private static IEnumerable<string> Walk(Type type, string prefix)
    {
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (!property.CanRead || property.SetMethod is not { IsPublic: true }) continue;
            var path = $"{prefix}:{property.Name}";
            if (IsOptionsClass(property.PropertyType))
            {
                foreach (var leaf in Walk(property.PropertyType, path)) yield return leaf;
            }
            else
            {
                yield return path;
            }
        }
    }

    private static bool IsOptionsClass(Type type) =>
        type.IsClass && type != typeof(string) && type.Namespace?.StartsWith("Ipto", StringComparison.Ordinal) == true;
}
