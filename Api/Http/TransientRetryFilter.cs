using Ipto.Common;
namespace Ipto.Api.Http;

/// <summary>
/// Retries safe reads (GET) a few times when a silo, the database or the object store is briefly unavailable, e.g.
/// while membership settles after a silo died. Writes are never retried here: they answer 503 and the client retries
/// (with an Idempotency-Key).
/// </summary>
public sealed class TransientRetryFilter : IEndpointFilter
{
    private static readonly TimeSpan[] Backoff = [TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(600), TimeSpan.FromMilliseconds(1500)];

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        if (!HttpMethods.IsGet(context.HttpContext.Request.Method)) return await next(context);
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await next(context);
            }
            catch (Exception e) when (attempt < Backoff.Length && CallFailures.IsTransient(e) && !context.HttpContext.RequestAborted.IsCancellationRequested)
            {
                await Task.Delay(Backoff[attempt], context.HttpContext.RequestAborted);
            }
        }
    }
}
