using Ipto.Api.Http;
using Ipto.Api.Http.OpenApi;
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
        errors.NotEmpty("scopes", Scopes, "must list at least one scope");
        errors.EachOneOf("scopes", Scopes, Identity.Scopes.All, "is not a known scope");
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
    public const double MinRatePerSecond = 1;
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
            errors.Required("spend_limit.amount", spend.Amount);
            errors.Amount("spend_limit.amount", spend.Amount, Money.MaxLimitMicros);
            errors.Required("spend_limit.period", spend.Period);
            errors.OneOf("spend_limit.period", spend.Period, "day", "month");
        }

        errors.Range("rate_limit_per_second", rate, MinRatePerSecond, MaxRatePerSecond);
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
        group.MapPost("", CreateAsync).RequireScope(Scopes.KeysWrite).WithIdempotency().WithName("CreateApiKey").Created()
            .WithSummary("Create an API key")
            .WithDescription("Issues a key with scopes (never beyond the creator's), an optional dataset allow-list, spend limit, rate limit and "
                + "expiry. The secret `key` is in this answer only; only its hash is stored.");
        group.MapGet("", ListAsync).RequireScope(Scopes.KeysWrite, Scopes.UsageRead).WithName("ListApiKeys")
            .WithSummary("List API keys")
            .WithDescription("The tenant's API keys, newest first, in keyset pages; secrets are never shown.");
        group.MapGet("/{api_key_id}", GetAsync).RequireScope(Scopes.KeysWrite, Scopes.UsageRead).WithName("GetApiKey")
            .WithSummary("Get an API key")
            .WithDescription("One of the tenant's API keys, with its status and when it was last used.");
        group.MapPatch("/{api_key_id}", UpdateAsync).RequireScope(Scopes.KeysWrite).WithName("UpdateApiKey")
            .WithSummary("Update an API key")
            .WithDescription("Changes a key's name, dataset access, spend limit or rate limit; fields left out stay as they are.");
        group.MapDelete("/{api_key_id}", RevokeAsync).RequireScope(Scopes.KeysWrite).WithName("RevokeApiKey")
            .WithSummary("Revoke an API key")
            .WithDescription("Revokes a key; it stops authenticating at once on every node. The key stays listed as revoked.");
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
