using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

/// <summary>
/// A closed-loop HTTP/1.1 load generator run as its own process (so it does not share the server's thread pool):
/// each connection sends one fixed request, reads the whole answer (Content-Length or chunked) and sends again.
/// Prints one line: <c>requests ok seconds p50_ms p99_ms first_error</c>. Used where wrk is not installed.
/// </summary>
internal static class LoadDriver
{
    public const string Mode = "load-driver";

    /// <summary>Arguments: port, connections, seconds, path of a file holding the raw request bytes.</summary>
    public static async Task RunAsync(string[] args)
    {
        var port = int.Parse(args[0], CultureInfo.InvariantCulture);
        var connections = int.Parse(args[1], CultureInfo.InvariantCulture);
        var seconds = double.Parse(args[2], CultureInfo.InvariantCulture);
        var request = await File.ReadAllBytesAsync(args[3]);

        var stop = Stopwatch.StartNew();
        var deadline = TimeSpan.FromSeconds(seconds);
        var results = await Task.WhenAll(Enumerable.Range(0, connections).Select(_ => Task.Run(() => LoopAsync(port, request, stop, deadline))));
        var elapsed = stop.Elapsed.TotalSeconds;
        var latencies = results.SelectMany(r => r.Latencies).Order().ToArray();
        var total = results.Sum(r => r.Requests);
        var ok = results.Sum(r => r.Ok);
        var error = results.Select(r => r.FirstError).FirstOrDefault(e => e is not null) ?? "-";
        Console.WriteLine(string.Join(' ', total, ok, F(elapsed), F(Percentile(latencies, 0.5)), F(Percentile(latencies, 0.99)), error.ReplaceLineEndings(" ")));
    }

    private sealed record LoopResult(int Requests, int Ok, List<double> Latencies, string? FirstError);

    private static async Task<LoopResult> LoopAsync(int port, byte[] request, Stopwatch clock, TimeSpan deadline)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(IPAddress.Loopback, port);
        var reader = new ResponseReader(socket);
        var latencies = new List<double>(1 << 16);
        int requests = 0, ok = 0;
        string? firstError = null;
        while (clock.Elapsed < deadline)
        {
            var started = Stopwatch.GetTimestamp();
            await socket.SendAsync(request, SocketFlags.None);
            var (status, body) = await reader.ReadAsync();
            latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            requests++;
            if (status is >= 200 and < 300) ok++;
            else firstError ??= $"{status}: {body}";
        }

        return new LoopResult(requests, ok, latencies, firstError);
    }

    private static double Percentile(double[] sorted, double p) => sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)(p * sorted.Length))];

    private static string F(double value) => value.ToString("F2", CultureInfo.InvariantCulture);

    /// <summary>Reads HTTP/1.1 responses off a kept-alive connection.</summary>
    private sealed class ResponseReader(Socket socket)
    {
        private readonly byte[] _buffer = new byte[64 * 1024];
        private int _start;
        private int _end;

        public async Task<(int Status, string Body)> ReadAsync()
        {
            var headerEnd = await FindAsync("\r\n\r\n"u8.ToArray());
            var head = Encoding.ASCII.GetString(_buffer, _start, headerEnd - _start);
            _start = headerEnd + 4;
            var status = int.Parse(head.AsSpan(9, 3), CultureInfo.InvariantCulture);
            var lines = head.Split("\r\n");
            var length = lines.FirstOrDefault(l => l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase));
            var body = new StringBuilder();
            if (length is not null)
            {
                await ReadBodyAsync(int.Parse(length.AsSpan(15).Trim(), CultureInfo.InvariantCulture), status, body);
            }
            else if (lines.Any(l => l.StartsWith("Transfer-Encoding:", StringComparison.OrdinalIgnoreCase) && l.Contains("chunked", StringComparison.OrdinalIgnoreCase)))
            {
                while (true)
                {
                    var lineEnd = await FindAsync("\r\n"u8.ToArray());
                    var size = int.Parse(Encoding.ASCII.GetString(_buffer, _start, lineEnd - _start).Split(';')[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                    _start = lineEnd + 2;
                    await ReadBodyAsync(size + 2, status, body);
                    if (size == 0) break;
                }
            }

            return (status, body.ToString());
        }

        private async Task ReadBodyAsync(int length, int status, StringBuilder body)
        {
            while (_end - _start < length) await FillAsync();
            if (status is < 200 or >= 300 && body.Length < 500) body.Append(Encoding.UTF8.GetString(_buffer, _start, Math.Min(length, 500)));
            _start += length;
        }

        private async Task<int> FindAsync(byte[] marker)
        {
            while (true)
            {
                var at = _buffer.AsSpan(_start, _end - _start).IndexOf(marker);
                if (at >= 0) return _start + at;
                await FillAsync();
            }
        }

        private async Task FillAsync()
        {
            if (_start > 0)
            {
                Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
                _end -= _start;
                _start = 0;
            }

            if (_end == _buffer.Length) throw new InvalidOperationException("response larger than the driver's buffer");
            var read = await socket.ReceiveAsync(_buffer.AsMemory(_end), SocketFlags.None);
            if (read == 0) throw new InvalidOperationException("the server closed the connection");
            _end += read;
        }
    }
}
