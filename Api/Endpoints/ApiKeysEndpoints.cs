using System.Globalization;
using Ipto.Api.Http;
using Ipto.Api.Http.Auth;
using Ipto.Api.Http.Idempotency;
using Ipto.ApiKeys;
using Ipto.Common;
using Ipto.Identity;
using Microsoft.AspNetCore.Mvc;

namespace Ipto.Api.Endpoints;

public sealed record SpendLimitBody(decimal? Amount, string? Period);

public sealed record CreateApiKeyRequest(
    string? Name, IReadOnlyList<string>? Scopes, string? DatasetAccessMode, IReadOnlyList<string>? DatasetIds,
    SpendLimitBody? SpendLimit, double? RateLimitPerSecond, DateTimeOffset? ExpiresAt) : IValidatable
{
    public void Validate(ValidationErrors errors)
    {
        errors.Required("name", Name);
        errors.Length("name", Name, 1, 200);
        if (Scopes is null || Scopes.Count == 0) errors.Add("scopes", "must list at least one scope");
        else
            for (var i = 0; i < Scopes.Count; i++)
                if (Scopes[i] is null || !Identity.Scopes.IsKnown(Scopes[i])) errors.Add($"scopes[{i}]", "is not a known scope");
        ApiKeyRules.ValidateAccess(errors, DatasetAccessMode ?? DatasetAccessModes.AllAvailable, DatasetIds, requireIdsForAllowList: true);
        ApiKeyRules.ValidateLimits(errors, SpendLimit, RateLimitPerSecond);
        if (ExpiresAt is { } expires && expires < DateTimeOffset.UtcNow.AddMinutes(1))
            errors.Add("expires_at", "must be at least one minute in the future");
    }
}

public sealed record UpdateApiKeyRequest(
    string? Name, string? DatasetAccessMode, IReadOnlyList<string>? DatasetIds, SpendLimitBody? SpendLimit, double? RateLimitPerSecond) : IValidatable
{
    public void Validate(ValidationErrors errors)
    {
        if (Name is not null) errors.Length("name", Name, 1, 200);
        if (DatasetAccessMode is not null || DatasetIds is not null)
            ApiKeyRules.ValidateAccess(errors, DatasetAccessMode, DatasetIds, requireIdsForAllowList: DatasetAccessMode is not null);
        ApiKeyRules.ValidateLimits(errors, SpendLimit, RateLimitPerSecond);
    }
}

public sealed record SpendLimitResponse(decimal Amount, string Period, string Currency)
{
    public static SpendLimitResponse? From(SpendLimit? limit) =>
        limit is null ? null : new SpendLimitResponse(Money.FromMicros(limit.AmountMicros), limit.Period, Money.Currency);
}

public sealed record CreatedApiKeyResponse(
    string ApiKeyId, string Key, string KeyPrefix, string Name, IReadOnlyList<string> Scopes, string DatasetAccessMode,
    IReadOnlyList<string> DatasetIds, SpendLimitResponse? SpendLimit, double? RateLimitPerSecond, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt);

public sealed record ApiKeyResponse(
    string ApiKeyId, string KeyPrefix, string Name, IReadOnlyList<string> Scopes, string DatasetAccessMode, IReadOnlyList<string> DatasetIds,
    SpendLimitResponse? SpendLimit, double? RateLimitPerSecond, string Status, DateTimeOffset? LastUsedAt, string CreatedBy,
    DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt, DateTimeOffset? RevokedAt)
{
    public static ApiKeyResponse From(ApiKeyView key) => new(key.KeyId, key.Prefix, key.Name, key.Scopes, key.DatasetAccessMode, key.DatasetIds,
        SpendLimitResponse.From(key.SpendLimit), key.RateLimitPerSecond, key.Status, key.LastUsedAt, key.CreatedBy, key.CreatedAt, key.ExpiresAt, key.RevokedAt);
}

internal static class ApiKeyRules
{
    public const double MaxRatePerSecond = 10_000;

    public static void ValidateAccess(ValidationErrors errors, string? mode, IReadOnlyList<string>? datasetIds, bool requireIdsForAllowList)
    {
        errors.OneOf("dataset_access_mode", mode, DatasetAccessModes.AllAvailable, DatasetAccessModes.AllowList);
        if (datasetIds is not null)
            for (var i = 0; i < datasetIds.Count; i++)
                if (!Ids.IsValid(datasetIds[i], IdPrefixes.Dataset)) errors.Add($"dataset_ids[{i}]", "is not a dataset id");
        if (requireIdsForAllowList && mode == DatasetAccessModes.AllowList && (datasetIds is null || datasetIds.Count == 0))
            errors.Add("dataset_ids", "must name at least one dataset when dataset_access_mode is allow_list");
        if (mode == DatasetAccessModes.AllAvailable && datasetIds is { Count: > 0 })
            errors.Add("dataset_ids", "must be empty when dataset_access_mode is all_available");
    }

    public static void ValidateLimits(ValidationErrors errors, SpendLimitBody? spend, double? rate)
    {
        if (spend is not null)
        {
            if (spend.Amount is null) errors.Add("spend_limit.amount", "is required");
            else if (Money.Issue(spend.Amount.Value, Money.MaxLimitMicros) is { } issue) errors.Add("spend_limit.amount", issue);
            errors.Required("spend_limit.period", spend.Period);
            errors.OneOf("spend_limit.period", spend.Period, "day", "month");
        }

        if (rate is not null && (rate < 1 || rate > MaxRatePerSecond || double.IsNaN(rate.Value)))
            errors.Add("rate_limit_per_second", $"must be between 1 and {MaxRatePerSecond.ToString(CultureInfo.InvariantCulture)}");
    }

    public static SpendLimit? ToSpendLimit(SpendLimitBody? body) =>
        body is null ? null : new SpendLimit(Money.TryToMicros(body.Amount!.Value, Money.MaxLimitMicros, out var micros) ? micros : 0, body.Period!);
}

/// <summary>API keys (SPEC §3): the issuer grain holds the rules; the secret is returned once, only a hash is stored.</summary>
public static class ApiKeysEndpoints
{
    public static RouteGroupBuilder MapApiKeysEndpoints(this RouteGroupBuilder v1)
    {
        var group = v1.MapGroup("/api-keys").WithTags("API keys");
        group.MapPost("", CreateAsync).RequireScope(Scopes.KeysWrite).WithIdempotency().WithName("CreateApiKey");
        group.MapGet("", ListAsync).RequireScope(Scopes.KeysWrite, Scopes.UsageRead).WithName("ListApiKeys");
        group.MapGet("/{api_key_id}", GetAsync).RequireScope(Scopes.KeysWrite, Scopes.UsageRead).WithName("GetApiKey");
        group.MapPatch("/{api_key_id}", UpdateAsync).RequireScope(Scopes.KeysWrite).WithName("UpdateApiKey");
        group.MapDelete("/{api_key_id}", RevokeAsync).RequireScope(Scopes.KeysWrite).WithName("RevokeApiKey");
        return v1;
    }

    private static async Task<EnvelopeResult<CreatedApiKeyResponse>> CreateAsync(JsonBody<CreateApiKeyRequest> body, HttpContext http, IGrainFactory grains)
    {
        var caller = http.Require();
        var request = body.Value;
        var issued = await Keys(grains).Issue(caller, new ApiKeyRequest(request.Name!, request.Scopes!,
            request.DatasetAccessMode ?? DatasetAccessModes.AllAvailable, request.DatasetIds ?? [], ApiKeyRules.ToSpendLimit(request.SpendLimit),
            request.RateLimitPerSecond, request.ExpiresAt), http.CreationSeed());
        var created = issued.Key;
        return ApiResults.Created($"/v1/api-keys/{created.KeyId}", new CreatedApiKeyResponse(created.KeyId, issued.Secret, created.Prefix, created.Name,
            created.Scopes, created.DatasetAccessMode, created.DatasetIds, SpendLimitResponse.From(created.SpendLimit),
            created.RateLimitPerSecond, created.CreatedAt, created.ExpiresAt));
    }

    private static async Task<EnvelopeResult<Page<ApiKeyResponse>>> ListAsync(HttpContext http, IGrainFactory grains, [FromQuery] string? limit, [FromQuery] string? cursor) =>
        ApiResults.Ok((await Keys(grains).List(http.Require(), PageRequest.Parse(limit, cursor))).Map(ApiKeyResponse.From));

    private static async Task<EnvelopeResult<ApiKeyResponse>> GetAsync([FromRoute(Name = "api_key_id")] string keyId, HttpContext http, IGrainFactory grains) =>
        ApiResults.Ok(ApiKeyResponse.From(await Keys(grains).Get(http.Require(), keyId)));

    private static async Task<EnvelopeResult<ApiKeyResponse>> UpdateAsync(
        [FromRoute(Name = "api_key_id")] string keyId, JsonBody<UpdateApiKeyRequest> body, HttpContext http, IGrainFactory grains)
    {
        var request = body.Value;
        var patch = new ApiKeyPatch(request.Name, request.DatasetAccessMode, request.DatasetIds?.Distinct().ToArray(),
            ApiKeyRules.ToSpendLimit(request.SpendLimit), false, request.RateLimitPerSecond, false);
        return ApiResults.Ok(ApiKeyResponse.From(await Keys(grains).Update(http.Require(), keyId, patch)));
    }

    private static async Task<EnvelopeResult<ApiKeyResponse>> RevokeAsync([FromRoute(Name = "api_key_id")] string keyId, HttpContext http, IGrainFactory grains) =>
        ApiResults.Ok(ApiKeyResponse.From(await Keys(grains).Revoke(http.Require(), keyId)));

    private static IApiKeyDirectoryGrain Keys(IGrainFactory grains) => grains.GetGrain<IApiKeyDirectoryGrain>(0);
}
