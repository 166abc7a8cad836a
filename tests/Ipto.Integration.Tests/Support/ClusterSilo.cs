using System.Diagnostics;
using System.Globalization;
using System.Text;
using Ipto.Grains.Hosting;
using Ipto.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

namespace Ipto.Integration.Tests.Support;

/// <summary>Settings of one test cluster on PostgreSQL: a private cluster id in a private database.</summary>
public sealed record ClusterSettings(string ConnectionString, string ClusterId, string DataDir)
{
    public Dictionary<string, string?> For(int siloPort, int gatewayPort) => new()
    {
        ["Ipto:Mode"] = "cluster",
        ["Ipto:Postgres:ConnectionString"] = ConnectionString,
        ["Ipto:Cluster:ClusterId"] = ClusterId,
        ["Ipto:Cluster:ServiceId"] = ClusterId,
        ["Ipto:Cluster:SiloPort"] = siloPort.ToString(CultureInfo.InvariantCulture),
        ["Ipto:Cluster:GatewayPort"] = gatewayPort.ToString(CultureInfo.InvariantCulture),
        ["Ipto:ObjectStore:Provider"] = "local",
        ["Ipto:DataDir"] = DataDir,
        ["Ipto:Reminders:MinimumPeriod"] = "00:00:01",
        ["Ipto:Jobs:ResumePeriod"] = "00:00:02",
        ["Ipto:Api:Role"] = "cohosted",
    };
}

/// <summary>A silo hosted in the test process (fast to start; stopping it is a graceful shutdown).</summary>
public static class InProcessSilo
{
    public static async Task<IHost> StartAsync(ClusterSettings settings, Action<IServiceCollection>? services = null)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(settings.For(Ports.Free(), Ports.Free()));
        builder.Logging.AddSimpleConsole().SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddIptoInfrastructure(builder.Configuration);
        services?.Invoke(builder.Services);
        builder.UseOrleans(silo => silo.UseIpto(builder.Configuration));
        var host = builder.Build();
        await host.StartAsync();
        return host;
    }
}

/// <summary>
/// A real <c>Ipto.Silo</c> process (the published entry point) configured through environment variables, as an
/// operator would run it. Killed by its PID.
/// </summary>
public sealed class SiloProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private SiloProcess(Process process, int siloPort, int gatewayPort)
    {
        _process = process;
        SiloPort = siloPort;
        GatewayPort = gatewayPort;
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public int SiloPort { get; }
    public int GatewayPort { get; }
    public int Pid => _process.Id;
    public bool HasExited => _process.HasExited;

    public string Output
    {
        get
        {
            lock (_output) return _output.ToString();
        }
    }

    /// <param name="environment">Extra variables (<c>Ipto__…</c>) over the cluster settings, e.g. an S3 object store.</param>
    public static SiloProcess Start(ClusterSettings settings, IReadOnlyDictionary<string, string>? environment = null)
    {
        var siloPort = Ports.Free();
        var gatewayPort = Ports.Free();
        var dll = Path.Combine(AppContext.BaseDirectory, "Ipto.Silo.dll");
        var start = new ProcessStartInfo("dotnet", [dll])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = settings.DataDir,
        };
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("Ipto__", StringComparison.Ordinal)).ToArray())
            start.Environment.Remove(name);
        foreach (var (key, value) in settings.For(siloPort, gatewayPort))
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) start.Environment[name] = value;
        return new SiloProcess(Process.Start(start)!, siloPort, gatewayPort);
    }

    /// <summary>SIGKILL: no graceful shutdown, no goodbye to the cluster.</summary>
    public void Kill()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit(10_000);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_output) _output.AppendLine(line);
    }
}

/// <summary>A private database, data dir and cluster id for one test; cleaned up with it.</summary>
public sealed class TestClusterContext : IAsyncDisposable
{
    private readonly TempDir _dir;

    private TestClusterContext(TestDatabase database, TempDir dir)
    {
        Database = database;
        _dir = dir;
        Settings = new ClusterSettings(database.ConnectionString, "it-" + Guid.NewGuid().ToString("N")[..8], dir.Path);
    }

    public TestDatabase Database { get; }
    public ClusterSettings Settings { get; }
    public string DataDir => _dir.Path;

    public static async Task<TestClusterContext> CreateAsync() => new(await TestDatabase.CreateAsync(), new TempDir());

    /// <summary>Settings of a co-hosted Api node of this cluster (its own ports and data dir, the test credentials, files in the S3 emulator).</summary>
    public Dictionary<string, string?> ApiNodeSettings(string node)
    {
        var settings = Settings.For(Ports.Free(), Ports.Free());
        settings["Ipto:DataDir"] = Path.Combine(DataDir, node);
        foreach (var (name, value) in Ipto.Api.Tests.Support.IdentityFixture.Settings) settings[name] = value;
        return settings.WithS3();
    }

    /// <summary>Waits until the membership table shows <paramref name="count"/> active silos of this cluster.</summary>
    public async Task WaitForActiveSilosAsync(int count, params SiloProcess[] silos)
    {
        try
        {
            await Eventually.Until(() => Database.ScalarAsync<int>(
                    $"SELECT count(*) FROM orleansmembershiptable WHERE deploymentid = '{Settings.ClusterId}' AND status = 3"),
                n => n == count, TimeSpan.FromSeconds(90), $"{count} active silos", retryErrors: true);
        }
        catch (TimeoutException)
        {
            foreach (var silo in silos) Console.Error.WriteLine($"silo {silo.Pid} exited={silo.HasExited}:\n{silo.Output}");
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Database.DisposeAsync();
        _dir.Dispose();
    }
}
