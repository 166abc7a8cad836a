using System.Xml.Linq;

namespace Ipto.Api.Tests.Deployment;

/// <summary>
/// The images and the processes they run: the Dockerfile publishes the Api and Silo projects, each target starts the
/// assembly its project builds, and every manifest runs one of the Dockerfile's targets as the image <c>ipto-{target}</c>.
/// </summary>
public sealed class DeploymentImageTests
{
    public const string ApiTarget = "api";
    public const string SiloTarget = "silo";
    private const string ImagePrefix = "ipto-";

    /// <summary>The project each target ships.</summary>
    private static readonly Dictionary<string, string> Projects = new(StringComparer.Ordinal)
    {
        [ApiTarget] = "Api/Api.csproj",
        [SiloTarget] = "Silo/Silo.csproj",
    };

    /// <summary>The Dockerfile target a container runs, from its image name (a tag or registry is the operator's).</summary>
    internal static string TargetOf(Container container)
    {
        var image = container.Image.Split('/')[^1].Split(':')[0].Split('@')[0];
        Assert.StartsWith(ImagePrefix, image);
        return image[ImagePrefix.Length..];
    }

    [Fact]
    public void TheDockerfilePublishesTheApiAndSiloProjects()
    {
        var publishes = DockerfileModel.Load().Publishes();

        Assert.Equal(Projects.Values.Order(), publishes.Select(p => p.Project).Order());
        Assert.All(publishes, p => Assert.True(File.Exists(RepoFiles.PathOf(p.Project)), $"{p.Project} is not in the repository"));
    }

    [Theory]
    [InlineData(ApiTarget)]
    [InlineData(SiloTarget)]
    public void EachTargetCopiesItsProjectsOutputAndStartsTheAssemblyThatProjectBuilds(string target)
    {
        var dockerfile = DockerfileModel.Load();
        var publish = dockerfile.Publishes().Single(p => p.Project == Projects[target]);

        var copied = dockerfile.Copies(target).Where(c => c.From is not null).ToArray();
        var entrypoint = dockerfile.Entrypoint(target);

        Assert.Contains(copied, c => c.From == publish.Stage && c.Sources.Contains(publish.Output));
        Assert.DoesNotContain(copied, c => c.From == publish.Stage && !c.Sources.Contains(publish.Output));
        Assert.Equal(["dotnet", AssemblyName(Projects[target]) + ".dll"], entrypoint);
    }

    [Fact]
    public void TheTargetsAreExactlyTheApiAndTheSilo()
    {
        Assert.Equal(Projects.Keys.Order(), DockerfileModel.Load().Targets.Select(t => t.Name).Order());
    }

    [Fact]
    public void ImagesAreTheDotnetSdkAndAspNetImagesOfTheProjectsTargetFramework()
    {
        var dockerfile = DockerfileModel.Load();
        var framework = XDocument.Load(RepoFiles.PathOf("Directory.Build.props")).Descendants("TargetFramework").Single().Value;
        var version = framework["net".Length..];
        var external = dockerfile.Stages.Select(s => s.BaseImage).Where(image => dockerfile.Stages.All(s => s.Name != image)).ToArray();

        Assert.Equal(
            new[] { $"mcr.microsoft.com/dotnet/aspnet:{version}", $"mcr.microsoft.com/dotnet/sdk:{version}" },
            external.Distinct().Order());
        Assert.All(dockerfile.Publishes(), p => Assert.Equal($"mcr.microsoft.com/dotnet/sdk:{version}", dockerfile.Stage(p.Stage).BaseImage));
    }

    [Theory]
    [InlineData(ApiTarget)]
    [InlineData(SiloTarget)]
    public void EachTargetRunsAsTheImagesNonRootUser(string target)
    {
        var user = DockerfileModel.Load().Stage(target).Arguments("USER").LastOrDefault();

        Assert.Equal("$APP_UID", user);
    }

    [Fact]
    public void TheBuildCopiesOnlyPathsThatExistAndTheDockerignoreKeeps()
    {
        var dockerfile = DockerfileModel.Load();
        var ignored = RepoFiles.Read(".dockerignore").Split('\n').Select(l => l.Trim())
            .Where(l => l.Length > 0 && !l.StartsWith('#')).ToArray();
        var sources = dockerfile.Stages.SelectMany(s => dockerfile.Copies(s.Name)).Where(c => c.From is null).SelectMany(c => c.Sources).ToArray();

        Assert.NotEmpty(sources);
        foreach (var source in sources)
        {
            Assert.True(File.Exists(RepoFiles.PathOf(source)) || Directory.Exists(RepoFiles.PathOf(source)), $"COPY {source}: no such path");
            Assert.DoesNotContain(ignored, pattern => !pattern.StartsWith("**", StringComparison.Ordinal)
                && (source.TrimEnd('/') + "/").StartsWith(pattern.TrimEnd('/') + "/", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void EveryWorkloadRunsADockerfileTargetAndEveryTargetRuns()
    {
        var manifests = Manifests.Load();
        var targets = DockerfileModel.Load().Targets.Select(t => t.Name).ToArray();
        var images = Yaml.Sequence(manifests.Kustomization, "images").Select(i => Yaml.Scalar(i, "name")).ToArray();

        var run = manifests.Containers.Select(TargetOf).ToArray();

        Assert.All(run, target => Assert.Contains(target, targets));
        Assert.Equal(targets.Order(), run.Distinct().Order());
        Assert.Equal(targets.Select(t => ImagePrefix + t).Order(), images.Order());
    }

    private static string AssemblyName(string project) =>
        XDocument.Load(RepoFiles.PathOf(project)).Descendants("AssemblyName").SingleOrDefault()?.Value
        ?? Path.GetFileNameWithoutExtension(project);
}
