using System.Text.RegularExpressions;
using Ipto.Common;

namespace Ipto.Api.Http;

/// <summary>Gives every request an id (a safe client-sent <c>X-Request-Id</c> or a new <c>req_…</c>) and echoes it.</summary>
public sealed partial class RequestIdMiddleware(RequestDelegate next)
{
    public const string Header = "X-Request-Id";

    public Task InvokeAsync(HttpContext context)
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
        return next(context);
    }

    [GeneratedRegex("^[A-Za-z0-9._-]{1,64}$")]
    private static partial Regex SafeId();
}
