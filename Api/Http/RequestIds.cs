using System.Text.RegularExpressions;
using Ipto.Common;

namespace Ipto.Api.Http;

/// <summary>
/// Gives every request an id (a safe client-sent <c>X-Request-Id</c> or a new <c>req_…</c>), echoes it, and opens a
/// logging scope with it, so every log line written while the request runs names it (<c>request_id</c>).
/// </summary>
public sealed partial class RequestIdMiddleware(RequestDelegate next, ILogger<RequestIdMiddleware> logger)
{
    public const string Header = "X-Request-Id";
    public const string LogProperty = "request_id";

    public async Task InvokeAsync(HttpContext context)
    {
        var sent = context.Request.Headers[Header].ToString();
        var id = SafeId().IsMatch(sent) ? sent : Ids.New(IdPrefixes.Request);
        context.TraceIdentifier = id;
        // Set as the response starts, so error handling that clears the response cannot drop it.
        context.Response.OnStarting(static state =>
        {
            var http = (HttpContext)state;
            http.Response.Headers[Header] = http.TraceIdentifier;
            return Task.CompletedTask;
        }, context);
        using var scope = logger.BeginScope(new RequestLogScope(id));
        await next(context);
    }

    /// <summary>One property, rendered as <c>request_id:…</c> in text and as a scope property in JSON.</summary>
    private sealed class RequestLogScope(string id) : IReadOnlyList<KeyValuePair<string, object>>
    {
        public KeyValuePair<string, object> this[int index] => index == 0 ? new(LogProperty, id) : throw new ArgumentOutOfRangeException(nameof(index));

        public int Count => 1;

        public IEnumerator<KeyValuePair<string, object>> GetEnumerator()
        {
            yield return this[0];
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

        public override string ToString() => $"{LogProperty}:{id}";
    }

    [GeneratedRegex("^[A-Za-z0-9._-]{1,64}$")]
    private static partial Regex SafeId();
}
