using Ipto.Common;

namespace Ipto.Api.Http;

/// <summary>
/// Reads a request body once, up to the 1 MiB limit, and keeps the bytes for the JSON binder and the idempotency
/// fingerprint. A declared or actual length over the limit is 413.
/// </summary>
public static class RequestBody
{
    public const int MaxBytes = 1024 * 1024;
    private static readonly object Key = new();

    public static async ValueTask<ReadOnlyMemory<byte>> ReadAsync(HttpContext context)
    {
        if (context.Items.TryGetValue(Key, out var cached) && cached is ReadOnlyMemory<byte> bytes) return bytes;

        if (context.Request.ContentLength > MaxBytes) throw new IptoException(ErrorCodes.PayloadTooLarge, TooLarge);
        using var buffer = new MemoryStream(context.Request.ContentLength is { } length ? (int)length : 4096);
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await context.Request.Body.ReadAsync(chunk, context.RequestAborted)) > 0)
        {
            if (buffer.Length + read > MaxBytes) throw new IptoException(ErrorCodes.PayloadTooLarge, TooLarge);
            buffer.Write(chunk, 0, read);
        }

        var result = new ReadOnlyMemory<byte>(buffer.ToArray());
        context.Items[Key] = result;
        return result;
    }

    private static string TooLarge => $"The request body exceeds the limit of {MaxBytes} bytes.";
}

/// <summary>Rejects over-long bodies by their declared length before anything reads them.</summary>
/// <remarks>Paths under a <see cref="LargeBodyRoutes"/> prefix (the local object store's uploads) set their own limit.</remarks>
public sealed class BodyLimitMiddleware(RequestDelegate next, LargeBodyRoutes largeBodies)
{
    public Task InvokeAsync(HttpContext context)
    {
        if (context.Request.ContentLength > RequestBody.MaxBytes && !largeBodies.Contains(context.Request.Path))
            return ErrorHandlingMiddleware.PayloadTooLarge().ExecuteAsync(context);
        return next(context);
    }
}

/// <summary>Route prefixes whose bodies are not API JSON and may exceed <see cref="RequestBody.MaxBytes"/> (registered by the hosting wiring).</summary>
public sealed class LargeBodyRoutes(params PathString[] prefixes)
{
    public bool Contains(PathString path) => prefixes.Any(p => path.StartsWithSegments(p, StringComparison.Ordinal));
}
