using System.Text.Json;
using Ipto.Common;

namespace Ipto.Api.Http;

/// <summary>
/// Maps every failure to the error envelope: business errors by code, bad HTTP input to 400/413, an unavailable
/// silo, database or object store to 503 with Retry-After, anything else to a bare 500 with no internal detail.
/// Routing misses (404/405 with no body) become the <c>not_found</c> envelope.
/// </summary>
public sealed class ErrorHandlingMiddleware(RequestDelegate next, ILogger<ErrorHandlingMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            await next(context);
            if (!context.Response.HasStarted)
            {
                // Framework answers without a body (routing misses, content-type mismatch) get the envelope too.
                var status = context.Response.StatusCode;
                if (status is StatusCodes.Status404NotFound or StatusCodes.Status405MethodNotAllowed
                    && context.GetEndpoint() is null or { DisplayName: "405 HTTP Method Not Supported" })
                {
                    context.Response.Headers.Allow = default;
                    await ApiResults.Error(ErrorCodes.NotFound, $"No route matches {context.Request.Method} {context.Request.Path}.").ExecuteAsync(context);
                }
                else if (status == StatusCodes.Status415UnsupportedMediaType)
                {
                    await ApiResults.Error(ErrorCodes.UnsupportedMediaType, "The request body must be sent as Content-Type: application/json.").ExecuteAsync(context);
                }
            }
        }
        catch (Exception exception) when (!context.Response.HasStarted)
        {
            await WriteAsync(context, exception);
        }
    }

    public async Task WriteAsync(HttpContext context, Exception exception)
    {
        context.Response.Clear();
        await ToResult(context, exception).ExecuteAsync(context);
    }

    public ErrorResult ToResult(HttpContext context, Exception exception)
    {
        if (CallFailures.IsTransient(exception))
        {
            if (exception is not IptoException) logger.LogWarning(exception, "Request {RequestId} hit an unavailable dependency", context.TraceIdentifier);
            return exception is IptoException unavailable
                ? ApiResults.Error(unavailable)
                : ApiResults.Error(ErrorCodes.ServiceUnavailable, "The service is temporarily unavailable; retry after a short wait.");
        }

        switch (exception)
        {
            case IptoException ipto:
                return ApiResults.Error(ipto);
            case BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge }:
                return PayloadTooLarge();
            case BadHttpRequestException { InnerException: JsonException }:
                return ApiResults.Error(ErrorCodes.InvalidRequest, "The request body is not valid JSON.");
            case BadHttpRequestException bad:
                return ApiResults.Error(ErrorCodes.InvalidRequest, "The request is malformed: " + bad.Message);
            case OperationCanceledException when context.RequestAborted.IsCancellationRequested:
                return ApiResults.Error(ErrorCodes.InvalidRequest, "The client closed the request.");
        }

        logger.LogError(exception, "Request {RequestId} failed", context.TraceIdentifier);
        return ApiResults.Error(ErrorCodes.InternalError, "An internal error occurred. Quote the request id when reporting it.");
    }

    public static ErrorResult PayloadTooLarge() =>
        ApiResults.Error(ErrorCodes.PayloadTooLarge, $"The request body exceeds the limit of {RequestBody.MaxBytes} bytes.");
}
