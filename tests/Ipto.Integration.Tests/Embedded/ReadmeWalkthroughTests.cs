using System.Diagnostics;
using Ipto.Integration.Tests.Support;
using Ipto.Testing;

namespace Ipto.Integration.Tests.Embedded;

/// <summary>README's walk-through, run as a new user would paste it, against an Api process started as README says.</summary>
public sealed class ReadmeWalkthroughTests
{
    private const string Start = "<!-- walkthrough:start -->";
    private const string End = "<!-- walkthrough:end -->";

    private static string Walkthrough()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Ipto.sln"))) directory = directory.Parent;
        Assert.NotNull(directory);
        var readme = File.ReadAllText(Path.Combine(directory.FullName, "README.md"));
        var block = readme[(readme.IndexOf(Start, StringComparison.Ordinal) + Start.Length)..readme.IndexOf(End, StringComparison.Ordinal)].Trim();
        Assert.StartsWith("```bash", block);
        Assert.EndsWith("```", block);
        return block["```bash".Length..^3];
    }

    [Fact]
    public async Task TheWalkthroughRunsFromSignupToDownload()
    {
        using var dir = new TempDir();
        var script = Path.Combine(dir.Path, "walkthrough.sh");
        await File.WriteAllTextAsync(script, Walkthrough());
        var port = Ports.Free();
        var api = ApiProcess.Start(dir.Path, port, Ports.Free(), Ports.Free(), new Dictionary<string, string>
        {
            ["Ipto__Bootstrap__AdminEmail"] = "admin@example.com",
            ["Ipto__Bootstrap__AdminPassword"] = "change-me-admin-password",
        });
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            await Eventually.Until(async () => (await http.GetAsync("/health/ready")).IsSuccessStatusCode, ok => ok, TimeSpan.FromSeconds(60),
                "the Api to be ready", retryErrors: true);

            var run = new ProcessStartInfo("bash", ["-eo", "pipefail", script])
            {
                WorkingDirectory = dir.Path,
                UseShellExecute = false,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            run.Environment["BASE"] = $"http://127.0.0.1:{port}";
            using var bash = Process.Start(run)!;
            var output = bash.StandardOutput.ReadToEndAsync();
            var errors = bash.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
            await bash.WaitForExitAsync(timeout.Token);

            Assert.True(bash.ExitCode == 0, $"exit {bash.ExitCode}\n{await output}\n{await errors}");
            Assert.Contains("\"filename\": \"lading.txt\"", await output);
            Assert.Contains("downloaded what was uploaded", await output);
            await ApiProcess.StopAsync(api);
        }
        finally
        {
            if (!api.HasExited) api.Kill(entireProcessTree: true);
        }
    }
}
