using Ipto.Api.Http;
using Ipto.Api.Http.Auth;
using Ipto.Common;
using Ipto.Identity;
using Ipto.Metering;

namespace Ipto.Api.Endpoints;

public sealed record BuyerDashboardResponse(long ApiKeyCount, long ActiveApiKeyCount, long SearchesThisMonth, decimal SpendThisMonth, string Currency)
{
    public static BuyerDashboardResponse From(BuyerDashboard d) =>
        new(d.ApiKeyCount, d.ActiveApiKeyCount, d.SearchesThisMonth, Money.FromMicros(d.SpendThisMonthMicros), Money.Currency);
}

/// <summary>The buyer's overview (SPEC §8): its keys, and its searches and spend this UTC calendar month.</summary>
public static class BuyerEndpoints
{
    public static RouteGroupBuilder MapBuyerEndpoints(this RouteGroupBuilder v1)
    {
        v1.MapGroup("/buyer").WithTags("Activity")
            .MapGet("/dashboard", DashboardAsync).RequireScope(Scopes.UsageRead).WithName("GetBuyerDashboard")
            .WithSummary("Get the buyer dashboard")
            .WithDescription("The tenant's API keys (all, and those neither revoked nor expired) and, for the current UTC calendar month, "
                + "its searches and what its billable events charged.");
        return v1;
    }

    private static async Task<EnvelopeResult<BuyerDashboardResponse>> DashboardAsync(HttpContext http, IGrainFactory grains) =>
        ApiResults.Ok(BuyerDashboardResponse.From(await grains.GetGrain<IActivityGrain>(0).Dashboard(http.Require())));
}
