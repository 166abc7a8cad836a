using System.Buffers;
using System.Globalization;
using System.IO.Pipelines;
using System.Text;
using System.Text.Json;
using Ipto.Common;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.WebUtilities;

namespace Ipto.Api.Http;

/// <summary>
/// Kestrel answers a request it cannot parse (a bad request line, a NUL in the path, a request line or headers over
/// its limits) itself, before any middleware runs, with an empty body and no request id. This connection middleware
/// recognises that answer in the bytes Kestrel writes and sends the SPEC error envelope (with a request id) instead.
/// </summary>
public static class KestrelRejections
{
    /// <summary>Limits raised above Kestrel's defaults (8 KiB line, 32 KiB headers) so that long but well-formed requests
    /// reach our code and get its precise answer (a too-long cursor is a bad cursor).</summary>
    public const int MaxRequestLineBytes = 64 * 1024;
    public const int MaxRequestHeadersBytes = 64 * 1024;

    public static void UseErrorEnvelopes(this ListenOptions listen) => listen.Use(next => async connection =>
    {
        var transport = connection.Transport;
        connection.Transport = new DuplexPipe(transport.Input, new RejectionRewritingWriter(transport.Output));
        try
        {
            await next(connection);
        }
        finally
        {
            connection.Transport = transport;
        }
    });

    /// <summary>
    /// The envelope for a head Kestrel wrote on its own — status 4xx/5xx, <c>Content-Length: 0</c>,
    /// <c>Connection: close</c> and no header besides <c>Date</c> and <c>Server</c> (every answer of ours has a body,
    /// a <c>Content-Type</c> and an <c>X-Request-Id</c>) — or null for anything else.
    /// </summary>
    public static byte[]? Rewrite(ReadOnlySpan<byte> written, DateTimeOffset now)
    {
        if (written.Length is < 20 or > RejectionRewritingWriter.InspectLimit || !written.EndsWith("\r\n\r\n"u8) || !written.StartsWith("HTTP/1.1 "u8))
            return null;
        var lines = Encoding.ASCII.GetString(written[..^4]).Split("\r\n");
        if (lines[0].Length < 12 || !int.TryParse(lines[0].AsSpan(9, 3), NumberStyles.None, CultureInfo.InvariantCulture, out var status) || status < 400 || status > 599)
            return null;
        var kept = new List<string>();
        bool emptyBody = false, closes = false;
        foreach (var line in lines.Skip(1))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0) return null;
            var name = line[..colon];
            var value = line[(colon + 1)..].Trim();
            if (name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase)) emptyBody = value == "0";
            else if (name.Equals("Connection", StringComparison.OrdinalIgnoreCase)) closes = value.Equals("close", StringComparison.OrdinalIgnoreCase);
            else if (name.Equals("Date", StringComparison.OrdinalIgnoreCase) || name.Equals("Server", StringComparison.OrdinalIgnoreCase)) kept.Add(line);
            else return null;
        }

        if (!emptyBody || !closes) return null;
        var (newStatus, code, message) = Classify(status);
        var requestId = Ids.New(IdPrefixes.Request);
        var body = JsonSerializer.SerializeToUtf8Bytes(new ErrorEnvelope(new ErrorBody(code, message, []), requestId, now), ApiJsonContext.Default.ErrorEnvelope);
        var head = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"HTTP/1.1 {newStatus} {ReasonPhrases.GetReasonPhrase(newStatus)}\r\n")
            .Append("Content-Type: application/json; charset=utf-8\r\n")
            .Append(CultureInfo.InvariantCulture, $"Content-Length: {body.Length}\r\n")
            .Append("Connection: close\r\n");
        if (newStatus == StatusCodes.Status503ServiceUnavailable)
            head.Append(CultureInfo.InvariantCulture, $"Retry-After: {ErrorResult.UnavailableRetryAfterSeconds}\r\n");
        foreach (var line in kept) head.Append(line).Append("\r\n");
        head.Append(RequestIdMiddleware.Header).Append(": ").Append(requestId).Append("\r\n\r\n");
        return [.. Encoding.ASCII.GetBytes(head.ToString()), .. body];
    }

    /// <summary>SPEC codes have fixed statuses, so Kestrel's 414/431/505… become 400 <c>invalid_request</c>.</summary>
    private static (int Status, string Code, string Message) Classify(int status) => status switch
    {
        413 => (413, ErrorCodes.PayloadTooLarge, $"The request body exceeds the limit of {RequestBody.MaxBytes} bytes."),
        404 or 405 => (404, ErrorCodes.NotFound, "No route matches the request."),
        414 => (400, ErrorCodes.InvalidRequest, $"The request line (method, path and query) exceeds {MaxRequestLineBytes} bytes."),
        431 => (400, ErrorCodes.InvalidRequest, $"The request headers exceed {MaxRequestHeadersBytes} bytes."),
        408 => (400, ErrorCodes.InvalidRequest, "The request did not arrive in time."),
        503 => (503, ErrorCodes.ServiceUnavailable, "The service is temporarily unavailable; retry after a short wait."),
        500 => (500, ErrorCodes.InternalError, "An internal error occurred."),
        _ => (400, ErrorCodes.InvalidRequest, "The request is malformed: its request line, path (a NUL or an invalid escape) or headers cannot be parsed."),
    };

    private sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;
        public PipeWriter Output { get; } = output;
    }
}

/// <summary>
/// Passes Kestrel's output through, holding what is written between two flushes while it is small enough to be one of
/// Kestrel's own bodiless answers, and swapping that for the envelope at the flush.
/// </summary>
internal sealed class RejectionRewritingWriter(PipeWriter inner) : PipeWriter
{
    public const int InspectLimit = 1024;

    private readonly ArrayBufferWriter<byte> _pending = new(InspectLimit);
    private bool _passThrough;
    private bool _lastFromInner;

    public override Memory<byte> GetMemory(int sizeHint = 0)
    {
        _lastFromInner = _passThrough || _pending.WrittenCount + sizeHint > InspectLimit;
        if (_lastFromInner) Spill();
        return _lastFromInner ? inner.GetMemory(sizeHint) : _pending.GetMemory(sizeHint);
    }

    public override Span<byte> GetSpan(int sizeHint = 0) => GetMemory(sizeHint).Span;

    public override void Advance(int bytes)
    {
        if (_lastFromInner)
        {
            inner.Advance(bytes);
            return;
        }

        _pending.Advance(bytes);
        if (_pending.WrittenCount > InspectLimit) Spill();
    }

    public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
    {
        if (_pending.WrittenCount > 0)
        {
            var replacement = KestrelRejections.Rewrite(_pending.WrittenSpan, DateTimeOffset.UtcNow);
            inner.Write(replacement ?? _pending.WrittenSpan);
            _pending.ResetWrittenCount();
        }

        _passThrough = false;
        return inner.FlushAsync(cancellationToken);
    }

    public override void CancelPendingFlush() => inner.CancelPendingFlush();

    public override void Complete(Exception? exception = null)
    {
        Spill();
        inner.Complete(exception);
    }

    public override ValueTask CompleteAsync(Exception? exception = null)
    {
        Spill();
        return inner.CompleteAsync(exception);
    }

    public override bool CanGetUnflushedBytes => inner.CanGetUnflushedBytes;

    public override long UnflushedBytes => inner.UnflushedBytes + _pending.WrittenCount;

    /// <summary>Too much for a bodiless head: forward what is held and stop inspecting until the next flush.</summary>
    private void Spill()
    {
        if (_pending.WrittenCount > 0)
        {
            inner.Write(_pending.WrittenSpan);
            _pending.ResetWrittenCount();
        }

        _passThrough = true;
    }
}
