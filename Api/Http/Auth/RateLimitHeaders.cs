using System.Globalization;
using Ipto.Identity;

namespace Ipto.Api.Http.Auth;

/// <summary><c>X-RateLimit-*</c> on every authenticated response (and <c>Retry-After</c> on a 429), set as the response starts.</summary>
public static class RateLimitHeaders
{
    public static void Attach(HttpContext context, RateDecision rate) =>
        context.Response.OnStarting(() =>
        {
            var headers = context.Response.Headers;
            headers["X-RateLimit-Limit"] = rate.Limit.ToString(CultureInfo.InvariantCulture);
            headers["X-RateLimit-Remaining"] = rate.Remaining.ToString(CultureInfo.InvariantCulture);
            headers["X-RateLimit-Reset"] = rate.ResetEpochSeconds.ToString(CultureInfo.InvariantCulture);
            if (!rate.Allowed) headers.RetryAfter = rate.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
            return Task.CompletedTask;
        });
}
