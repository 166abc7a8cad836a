using System.Text.Json;
using System.Text.RegularExpressions;

namespace Ipto.Api.Tests.Deployment;

internal sealed record DockerInstruction(string Keyword, string Arguments);

internal sealed record DockerStage(string Name, string BaseImage, IReadOnlyList<DockerInstruction> Instructions)
{
    public IEnumerable<string> Arguments(string keyword) =>
        Instructions.Where(i => i.Keyword == keyword).Select(i => i.Arguments);
}

/// <summary>
/// The repository's Dockerfile, read as far as these tests need: stages, their ENV (inherited from a stage of the same
/// file they are built <c>FROM</c>), EXPOSE, HEALTHCHECK, ENTRYPOINT, COPY and the <c>dotnet publish</c> commands.
/// </summary>
internal sealed partial class DockerfileModel
{
    private DockerfileModel(IReadOnlyList<DockerStage> stages) => Stages = stages;

    public IReadOnlyList<DockerStage> Stages { get; }

    /// <summary>The stages that run something: the build targets an operator names with <c>--target</c>.</summary>
    public IReadOnlyList<DockerStage> Targets => Stages.Where(s => Entrypoint(s.Name).Count > 0).ToArray();

    public static DockerfileModel Load() => Parse(RepoFiles.Read("Dockerfile"));

    public static DockerfileModel Parse(string text)
    {
        var stages = new List<DockerStage>();
        string? name = null, image = null;
        var instructions = new List<DockerInstruction>();
        foreach (var line in LogicalLines(text))
        {
            var split = line.IndexOf(' ', StringComparison.Ordinal);
            var keyword = (split < 0 ? line : line[..split]).ToUpperInvariant();
            var arguments = split < 0 ? "" : line[(split + 1)..].Trim();
            if (keyword == "FROM")
            {
                if (image is not null) stages.Add(new DockerStage(name ?? $"stage{stages.Count}", image, instructions));
                var from = FromPattern().Match(arguments);
                Assert.True(from.Success, $"FROM line not understood: {line}");
                image = from.Groups["image"].Value;
                name = from.Groups["name"].Success ? from.Groups["name"].Value : null;
                instructions = [];
            }
            else
            {
                Assert.NotNull(image);
                instructions.Add(new DockerInstruction(keyword, arguments));
            }
        }

        if (image is not null) stages.Add(new DockerStage(name ?? $"stage{stages.Count}", image, instructions));
        return new DockerfileModel(stages);
    }

    public DockerStage Stage(string name) => Stages.Single(s => string.Equals(s.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>The stage's environment, its own ENV over that of the stage of this file it is built from.</summary>
    public IReadOnlyDictionary<string, string?> Environment(string stage)
    {
        var current = Stage(stage);
        var environment = Stages.Any(s => s.Name == current.BaseImage)
            ? new Dictionary<string, string?>(Environment(current.BaseImage), StringComparer.Ordinal)
            : new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var arguments in current.Arguments("ENV"))
        {
            foreach (var pair in Words(arguments))
            {
                var equals = pair.IndexOf('=', StringComparison.Ordinal);
                Assert.True(equals > 0, $"ENV takes NAME=value pairs here, not '{pair}'");
                environment[pair[..equals]] = pair[(equals + 1)..];
            }
        }

        return environment;
    }

    public IReadOnlyList<string> EnvironmentNames() =>
        Stages.SelectMany(s => Environment(s.Name).Keys).Distinct(StringComparer.Ordinal).ToArray();

    public IReadOnlyList<int> Exposed(string stage)
    {
        var current = Stage(stage);
        var inherited = Stages.Any(s => s.Name == current.BaseImage) ? Exposed(current.BaseImage) : [];
        return inherited.Concat(current.Arguments("EXPOSE").SelectMany(Words).Select(p => int.Parse(p.Split('/')[0], System.Globalization.CultureInfo.InvariantCulture))).ToArray();
    }

    public IReadOnlyList<string> Entrypoint(string stage) =>
        Stage(stage).Arguments("ENTRYPOINT").Select(a => JsonSerializer.Deserialize<string[]>(a)!).LastOrDefault() ?? [];

    /// <summary>The URL the stage's HEALTHCHECK asks, or null without one.</summary>
    public Uri? HealthcheckUrl(string stage)
    {
        var check = Stage(stage).Arguments("HEALTHCHECK").LastOrDefault();
        if (check is null) return null;
        var url = UrlPattern().Match(check);
        Assert.True(url.Success, $"no URL in the HEALTHCHECK of {stage}: {check}");
        return new Uri(url.Value);
    }

    /// <summary>Each <c>dotnet publish</c> of a RUN: the project it publishes and the stage and directory it writes to.</summary>
    public IReadOnlyList<(string Stage, string Project, string Output)> Publishes() =>
        Stages.SelectMany(s => s.Arguments("RUN").SelectMany(run => PublishPattern().Matches(run))
                .Select(m => (s.Name, m.Groups["project"].Value, m.Groups["output"].Value)))
            .ToArray();

    /// <summary>COPY instructions of a stage: whether they copy from another stage, and their sources and destination.</summary>
    public IReadOnlyList<(string? From, IReadOnlyList<string> Sources, string Destination)> Copies(string stage) =>
        Stage(stage).Arguments("COPY").Select(arguments =>
        {
            var words = Words(arguments).ToList();
            var from = words.FirstOrDefault(w => w.StartsWith("--from=", StringComparison.Ordinal))?["--from=".Length..];
            words.RemoveAll(w => w.StartsWith("--", StringComparison.Ordinal));
            return (from, (IReadOnlyList<string>)words.Take(words.Count - 1).ToArray(), words[^1]);
        }).ToArray();

    private static IEnumerable<string> LogicalLines(string text)
    {
        var pending = "";
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd('\r').Trim();
            if (line.StartsWith('#') || (line.Length == 0 && pending.Length == 0)) continue;
            if (line.EndsWith('\\'))
            {
                pending += line[..^1] + " ";
                continue;
            }

            var whole = (pending + line).Trim();
            pending = "";
            if (whole.Length > 0) yield return whole;
        }
    }

    private static IEnumerable<string> Words(string arguments) =>
        WordPattern().Matches(arguments).Select(m => m.Value.Replace("\"", "", StringComparison.Ordinal));

    [GeneratedRegex(@"^(--platform=\S+\s+)?(?<image>\S+)(\s+AS\s+(?<name>\S+))?$", RegexOptions.IgnoreCase)]
    private static partial Regex FromPattern();

    [GeneratedRegex(@"https?://[^\s'""]+")]
    private static partial Regex UrlPattern();

    [GeneratedRegex(@"dotnet publish (?<project>\S+\.csproj)\b[^&;]*?\s-o\s+(?<output>\S+)")]
    private static partial Regex PublishPattern();

    [GeneratedRegex(@"(""[^""]*""|[^\s""])+")]
    private static partial Regex WordPattern();
}
