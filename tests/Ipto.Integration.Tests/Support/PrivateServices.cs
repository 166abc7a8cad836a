using System.Diagnostics;
using System.Globalization;
using Ipto.Testing;

namespace Ipto.Integration.Tests.Support;

/// <summary>
/// A PostgreSQL and an S3 emulator of one test's own, started by <c>deploy/local/up.sh</c> with a private state
/// directory and ports, so a test can stop and start them (<c>down.sh postgres</c>, <c>down.sh s3</c>, then
/// <c>up.sh</c> again) without disturbing the shared services other tests use.
/// </summary>
public sealed class PrivateServices : IAsyncDisposable
{
    private readonly TempDir _state = new();
    private readonly string _scripts;
    private readonly int _postgresPort = Ports.Free();
    private readonly int _s3Port = Ports.Free();

    private PrivateServices(string scripts) => _scripts = scripts;

    /// <summary>The environment <c>up.sh</c> printed (<c>Ipto__…</c> names).</summary>
    public IReadOnlyDictionary<string, string> Environment { get; private set; } = new Dictionary<string, string>();

    public string PostgresConnectionString => Environment["Ipto__Postgres__ConnectionString"];

    public static async Task<PrivateServices> StartAsync()
    {
        Services.RequirePostgres(); // the same prerequisites as the shared services (skipped by hand without them)
        var services = new PrivateServices(Path.Combine(RepositoryRoot(), "deploy", "local"));
        await services.UpAsync();
        return services;
    }

    /// <summary>Starts whatever is not running (both at first; after a stop, the stopped one).</summary>
    public async Task UpAsync() => Environment = ParseExports(await RunAsync("up.sh"));

    public Task StopPostgresAsync() => RunAsync("down.sh", "postgres");

    public Task StopS3Async() => RunAsync("down.sh", "s3");

    public async ValueTask DisposeAsync()
    {
        await RunAsync("down.sh");
        _state.Dispose();
    }

    private async Task<string> RunAsync(string script, params string[] arguments)
    {
        var start = new ProcessStartInfo("bash", [Path.Combine(_scripts, script), .. arguments])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["IPTO_LOCAL_STATE"] = _state.Path;
        start.Environment["IPTO_PG_PORT"] = _postgresPort.ToString(CultureInfo.InvariantCulture);
        start.Environment["IPTO_S3_PORT"] = _s3Port.ToString(CultureInfo.InvariantCulture);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0) throw new InvalidOperationException($"{script} {string.Join(' ', arguments)} failed ({process.ExitCode}): {await stderr}");
        return await stdout;
    }

    private static Dictionary<string, string> ParseExports(string output)
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!line.StartsWith("export ", StringComparison.Ordinal)) continue;
            var assignment = line["export ".Length..];
            var equals = assignment.IndexOf('=', StringComparison.Ordinal);
            var value = assignment[(equals + 1)..];
            if (value.Length >= 2 && value[0] == '\'' && value[^1] == '\'') value = value[1..^1];
            environment[assignment[..equals]] = value;
        }

        return environment;
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
            if (File.Exists(Path.Combine(directory.FullName, "deploy", "local", "up.sh"))) return directory.FullName;
        throw new InvalidOperationException("deploy/local/up.sh was not found above the test binaries.");
    }
}
