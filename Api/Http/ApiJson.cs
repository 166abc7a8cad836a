using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Ipto.Api.Endpoints;
using Ipto.Common;
using Ipto.Datasets;
using Ipto.Objects;

namespace Ipto.Api.Http;

/// <summary>Source-generated snake_case JSON for everything the API reads and writes.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    NumberHandling = JsonNumberHandling.Strict,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    Converters = [typeof(UtcMillisecondsConverter)])]
[JsonSerializable(typeof(ErrorEnvelope))]
[JsonSerializable(typeof(HealthResponse))]
[JsonSerializable(typeof(ReadinessResponse))]
[JsonSerializable(typeof(Envelope<JobResponse>))]
[JsonSerializable(typeof(SignupRequest))]
[JsonSerializable(typeof(Envelope<SignupResponse>))]
[JsonSerializable(typeof(LoginRequest))]
[JsonSerializable(typeof(Envelope<LoginResponse>))]
[JsonSerializable(typeof(Envelope<LogoutResponse>))]
[JsonSerializable(typeof(Envelope<MeResponse>))]
[JsonSerializable(typeof(ChangePasswordRequest))]
[JsonSerializable(typeof(Envelope<ChangePasswordResponse>))]
[JsonSerializable(typeof(CreateApiKeyRequest))]
[JsonSerializable(typeof(UpdateApiKeyRequest))]
[JsonSerializable(typeof(Envelope<CreatedApiKeyResponse>))]
[JsonSerializable(typeof(Envelope<ApiKeyResponse>))]
[JsonSerializable(typeof(Envelope<Page<ApiKeyResponse>>))]
[JsonSerializable(typeof(Envelope<TenantResponse>))]
[JsonSerializable(typeof(UpdateTenantRequest))]
[JsonSerializable(typeof(Envelope<Page<MemberResponse>>))]
[JsonSerializable(typeof(Envelope<MemberResponse>))]
[JsonSerializable(typeof(UpdateMemberRequest))]
[JsonSerializable(typeof(Envelope<RemovedMemberResponse>))]
[JsonSerializable(typeof(CreateInvitationRequest))]
[JsonSerializable(typeof(Envelope<CreatedInvitationResponse>))]
[JsonSerializable(typeof(Envelope<InvitationResponse>))]
[JsonSerializable(typeof(Envelope<Page<InvitationResponse>>))]
[JsonSerializable(typeof(CreateDatasetRequest))]
[JsonSerializable(typeof(UpdateDatasetRequest))]
[JsonSerializable(typeof(Envelope<DatasetResponse>))]
[JsonSerializable(typeof(Envelope<Page<DatasetResponse>>))]
[JsonSerializable(typeof(GrantRequest))]
[JsonSerializable(typeof(Envelope<DatasetDeletionResponse>))]
[JsonSerializable(typeof(Envelope<GrantResponse>))]
[JsonSerializable(typeof(Envelope<Page<GrantResponse>>))]
[JsonSerializable(typeof(Envelope<Page<CatalogDatasetResponse>>))]
[JsonSerializable(typeof(CreateUploadRequest))]
[JsonSerializable(typeof(DatasetUploadRequest))]
[JsonSerializable(typeof(ReissuePartsRequest))]
[JsonSerializable(typeof(CompleteUploadRequest))]
[JsonSerializable(typeof(Envelope<UploadResponse>))]
[JsonSerializable(typeof(Envelope<CompletedUploadResponse>))]
[JsonSerializable(typeof(Envelope<ObjectResponse>))]
[JsonSerializable(typeof(Envelope<Page<ObjectResponse>>))]
[JsonSerializable(typeof(Envelope<Page<StagedObjectResponse>>))]
[JsonSerializable(typeof(Envelope<StagedObjectDetail>))]
[JsonSerializable(typeof(ReviewDecisionRequest))]
[JsonSerializable(typeof(Envelope<ApprovedResponse>))]
[JsonSerializable(typeof(Envelope<DownloadResponse>))]
[JsonSerializable(typeof(Envelope<SearchActivityPage>))]
[JsonSerializable(typeof(Envelope<Page<AccessActivityResponse>>))]
[JsonSerializable(typeof(Envelope<SpendResponse>))]
[JsonSerializable(typeof(Envelope<BuyerDashboardResponse>))]
[JsonSerializable(typeof(Envelope<SearchResponse>))]
[JsonSerializable(typeof(SearchRequestBody))]
[JsonSerializable(typeof(FieldError))]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(CitationRequest))]
[JsonSerializable(typeof(Envelope<CitationResponse>))]
[JsonSerializable(typeof(OutcomeRequest))]
[JsonSerializable(typeof(Envelope<OutcomeResponse>))]
[JsonSerializable(typeof(Envelope<DownloadResponse>))]
[JsonSerializable(typeof(HoldRequest))]
[JsonSerializable(typeof(MarkPaidRequest))]
[JsonSerializable(typeof(Envelope<HoldResponse>))]
[JsonSerializable(typeof(Envelope<PayoutStatementResponse>))]
[JsonSerializable(typeof(BatchUploadRequest))]
[JsonSerializable(typeof(Envelope<BulkItemsResponse<UploadResponse>>))]
[JsonSerializable(typeof(BulkDatasetUpdateRequest))]
[JsonSerializable(typeof(DatasetUpdateItem))]
[JsonSerializable(typeof(Envelope<BulkItemsResponse<DatasetResponse>>))]
[JsonSerializable(typeof(BatchDeleteObjectsRequest))]
[JsonSerializable(typeof(Envelope<BatchDeleteResponse>))]
[JsonSerializable(typeof(Envelope<Page<PayoutStatementResponse>>))]
[JsonSerializable(typeof(CreateWebhookRequest))]
[JsonSerializable(typeof(UpdateWebhookRequest))]
[JsonSerializable(typeof(Envelope<CreatedWebhookResponse>))]
[JsonSerializable(typeof(Envelope<WebhookResponse>))]
[JsonSerializable(typeof(Envelope<Page<WebhookResponse>>))]
[JsonSerializable(typeof(Envelope<DeletedWebhookResponse>))]
[JsonSerializable(typeof(Envelope<WebhookSecretResponse>))]
[JsonSerializable(typeof(Envelope<WebhookTestResponse>))]
[JsonSerializable(typeof(Envelope<RedeliveryResponse>))]
[JsonSerializable(typeof(Envelope<Page<WebhookAttemptResponse>>))]
internal sealed partial class ApiJsonContext : JsonSerializerContext;

public static class ApiJson
{
    /// <summary>
    /// SPEC §1/§12: wrong JSON types are errors, so numbers are never read from strings (the web defaults would), and
    /// every string passes <see cref="JsonText"/>'s rules. This applies to every body type, generated or not.
    /// </summary>
    public static void Configure(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
        options.DictionaryKeyPolicy = null;
        options.NumberHandling = JsonNumberHandling.Strict;
        options.Converters.Add(new UtcMillisecondsConverter());
        options.Converters.Add(new FreeTextStringConverter());
        options.TypeInfoResolverChain.Insert(0, ApiJsonContext.Default);
        options.TypeInfoResolver = JsonTypeInfoResolver.Combine([.. options.TypeInfoResolverChain]).WithAddedModifier(JsonText.SingleLineNames);
    }

    /// <summary>SPEC timestamps: UTC, <c>Z</c>, exactly three fractional digits.</summary>
    public static string Format(DateTimeOffset value) => UtcMillisecondsConverter.Format(value);
}
