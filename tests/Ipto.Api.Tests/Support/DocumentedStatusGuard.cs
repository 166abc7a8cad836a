using Ipto.Api.Http.OpenApi;
using Microsoft.AspNetCore.Hosting;

namespace Ipto.Api.Tests.Support;

/// <summary>
/// Holds every test's responses to the OpenAPI document: a 2xx status that the endpoint's metadata (hence the
/// document) does not list, or a documented <c>Location</c> that is missing, turns the response into a 500 naming the
/// mismatch. So each test that creates, accepts or reads anything also checks the document's success statuses.
/// </summary>
public sealed class DocumentedStatusGuard : IStartupFilter
{
    public const string Header = "X-Test-Undocumented-Status";

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use(async (context, proceed) =>
        {
            context.Response.OnStarting(() =>
            {
                Check(context);
                return Task.CompletedTask;
            });
            await proceed(context);
        });
        next(app);
    };

    private static void Check(HttpContext context)
    {
        var status = context.Response.StatusCode;
        if (status is < 200 or >= 300 || context.GetEndpoint() is not RouteEndpoint endpoint) return;
        var documented = EndpointDocs.SuccessStatuses(endpoint.Metadata);
        if (documented.Count == 0) return; // not an enveloped endpoint (docs page, local object store)
        var problem = !documented.Contains(status)
            ? $"{status} answered, {string.Join("/", documented)} documented"
            : endpoint.Metadata.GetMetadata<SuccessStatus>() is { Location: true } success && success.StatusCode == status && string.IsNullOrEmpty(context.Response.Headers.Location)
                ? $"{status} answered without the documented Location"
                : null;
        if (problem is null) return;
        context.Response.StatusCode = StatusCodes.Status500InternalServerError;
        context.Response.Headers[Header] = $"{endpoint.RoutePattern.RawText}: {problem}";
    }
}
