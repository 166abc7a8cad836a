using System.Diagnostics;
using System.Globalization;

namespace Ipto.Integration.Tests.Support;

/// <summary>The Api as an operator starts it: <c>dotnet Ipto.Api.dll --urls …</c> in its own process, embedded mode by default.</summary>
public static class ApiProcess
{
    public static Process Start(string workingDir, int httpPort, int siloPort, int gatewayPort, IReadOnlyDictionary<string, string>? environment = null,
        Action<string>? output = null)
    {
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "Ipto.Api.dll"), "--urls", $"http://127.0.0.1:{httpPort}"])
        {
            WorkingDirectory = workingDir,
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("Ipto__", StringComparison.Ordinal)).ToArray())
            start.Environment.Remove(name);
        start.Environment["Ipto__Cluster__SiloPort"] = siloPort.ToString(CultureInfo.InvariantCulture);
        start.Environment["Ipto__Cluster__GatewayPort"] = gatewayPort.ToString(CultureInfo.InvariantCulture);
        start.Environment["Ipto__Api__DrainPeriod"] = "00:00:00"; // tests that need the drain set it
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) start.Environment[name] = value;
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) output?.Invoke(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) output?.Invoke(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>SIGTERM, the graceful stop an operator (or systemd) sends, then waits for the exit.</summary>
    public static async Task StopAsync(Process process)
    {
        using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(CultureInfo.InvariantCulture)]))
            await kill.WaitForExitAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(timeout.Token);
    }
}
