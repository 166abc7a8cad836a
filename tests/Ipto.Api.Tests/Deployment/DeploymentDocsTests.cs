using System.Text.RegularExpressions;

namespace Ipto.Api.Tests.Deployment;

/// <summary>README's Configuration table lists exactly the settings of IptoOptions, and docs/operations.md names only real ones.</summary>
public sealed partial class DeploymentDocsTests
{
    /// <summary>Rows of the table that are not IPTO settings.</summary>
    private static readonly string[] OtherRows = ["urls"];

    /// <summary>The settings of README's Configuration table, with the environment variable its row gives for each.</summary>
    private static IReadOnlyList<(string Setting, string? Variable)> ReadmeRows()
    {
        var readme = RepoFiles.Read("README.md");
        var start = readme.IndexOf("\n## Configuration", StringComparison.Ordinal);
        Assert.True(start >= 0, "README has no Configuration section");
        var end = readme.IndexOf("\n## ", start + 1, StringComparison.Ordinal);
        var rows = new List<(string, string?)>();
        foreach (var line in readme[start..(end < 0 ? readme.Length : end)].Split('\n'))
        {
            if (!line.StartsWith("| `", StringComparison.Ordinal)) continue;
            var cells = line.Split('|');
            var settings = Code().Matches(cells[1]).Select(m => m.Groups[1].Value).ToArray();
            var variables = Code().Matches(cells[2]).Select(m => m.Groups[1].Value).ToArray();
            string? previous = null;
            for (var i = 0; i < settings.Length; i++)
            {
                // "`Ipto:S3:AccessKey` / `SecretKey`": a bare name is a sibling of the setting before it.
                var setting = settings[i].Contains(':', StringComparison.Ordinal) || previous is null
                    ? settings[i]
                    : previous[..(previous.LastIndexOf(':') + 1)] + settings[i];
                rows.Add((setting, i < variables.Length ? variables[i] : null));
                previous = setting;
            }
        }

        return rows;
    }

    [Fact]
    public void TheReadmeTableListsEverySettingOnce()
    {
        var listed = ReadmeRows().Select(r => r.Setting).Where(s => !OtherRows.Contains(s)).ToArray();

        Assert.Empty(SettingPaths.Leaves.Except(listed, StringComparer.Ordinal));
        Assert.Empty(listed.Except(SettingPaths.Leaves, StringComparer.Ordinal));
        Assert.Equal(listed.Length, listed.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void EachReadmeRowGivesTheEnvironmentVariableOfItsSetting()
    {
        foreach (var (setting, variable) in ReadmeRows().Where(r => !OtherRows.Contains(r.Setting)))
            Assert.Equal(setting.Replace(":", "__", StringComparison.Ordinal), variable);
    }

    [Fact]
    public void OperationsNamesOnlyRealSettings()
    {
        var text = RepoFiles.Read("docs/operations.md");
        var named = SettingToken().Matches(text).Select(m => m.Value).Distinct(StringComparer.Ordinal).ToArray();

        Assert.NotEmpty(named);
        Assert.All(named, token => Assert.True(
            SettingPaths.LeavesAndSections.Contains(SettingPaths.FromEnvironmentName(token)),
            $"docs/operations.md names {token}, which is no setting or section of IptoOptions"));
    }

    [Fact]
    public void OperationsPointsToTheReadmeTableForTheSettings()
    {
        var text = RepoFiles.Read("docs/operations.md");

        Assert.Contains("README.md#configuration", text, StringComparison.Ordinal);
    }

    [GeneratedRegex("`([^`]+)`")]
    private static partial Regex Code();

    [GeneratedRegex(@"\bIpto(?:(?::|__)[A-Za-z0-9]+)+")]
    private static partial Regex SettingToken();
}
