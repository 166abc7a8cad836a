using System.Diagnostics;
using Ipto.Integration.Tests.Support;
using Ipto.Testing;

namespace Ipto.Integration.Tests.Faults;

/// <summary>One Api process in client role, on a fixed port so a restart is the same node to the load.</summary>
public sealed class ApiNode(string name, string workingDir, IReadOnlyDictionary<string, string> environment) : IAsyncDisposable
{
    private readonly System.Text.StringBuilder _output = new();
    private Process? _process;

    /// <summary>What the node's processes wrote (warnings and errors), for a failure's message.</summary>
    public string Output
    {
        get
        {
            lock (_output) return _output.ToString();
        }
    }

    public string Name { get; } = name;
    public int Port { get; } = Ports.Free();

    public HttpClient Client { get; } = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromSeconds(30), ConnectTimeout = TimeSpan.FromSeconds(5) })
    {
        Timeout = TimeSpan.FromSeconds(90),
    };

    public Uri BaseAddress => new($"http://127.0.0.1:{Port}");

    public async Task StartAsync()
    {
        Directory.CreateDirectory(workingDir);
        _process = ApiProcess.Start(workingDir, Port, Ports.Free(), Ports.Free(), environment, line =>
        {
            lock (_output) _output.AppendLine(line);
        });
        using var probe = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        await Eventually.Until(async () => (await probe.GetAsync("/health/ready")).StatusCode, s => s == System.Net.HttpStatusCode.OK,
            TimeSpan.FromSeconds(90), $"Api node {Name} to be ready", retryErrors: true);
    }

    /// <summary>SIGTERM and the wait for a clean exit (the node drains first).</summary>
    public async Task<int> StopAsync()
    {
        await ApiProcess.StopAsync(_process!);
        return _process!.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process?.Dispose();
        Client.Dispose();
    }
}
