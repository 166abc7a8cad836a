namespace Ipto.Common;

/// <summary>The error codes of SPEC §1; each maps to one HTTP status.</summary>
public static class ErrorCodes
{
    public const string InvalidRequest = "invalid_request";
    public const string ValidationFailed = "validation_failed";
    public const string InvalidQuery = "invalid_query";
    public const string Unauthenticated = "unauthenticated";
    public const string InvalidCredentials = "invalid_credentials";
    public const string Forbidden = "forbidden";
    public const string InsufficientScope = "insufficient_scope";
    public const string NotFound = "not_found";
    public const string Conflict = "conflict";
    public const string InvalidStateTransition = "invalid_state_transition";
    public const string IdempotencyKeyReused = "idempotency_key_reused";
    public const string IdempotencyRequestInProgress = "idempotency_request_in_progress";
    public const string PayloadTooLarge = "payload_too_large";
    public const string UnsupportedMediaType = "unsupported_media_type";
    public const string SpendLimitExceeded = "spend_limit_exceeded";
    public const string RateLimited = "rate_limited";
    public const string ServiceUnavailable = "service_unavailable";
    public const string InternalError = "internal_error";

    public static int StatusOf(string code) => code switch
    {
        InvalidRequest or InvalidQuery => 400,
        Unauthenticated or InvalidCredentials => 401,
        SpendLimitExceeded => 402,
        Forbidden or InsufficientScope => 403,
        NotFound => 404,
        Conflict or InvalidStateTransition or IdempotencyKeyReused or IdempotencyRequestInProgress => 409,
        PayloadTooLarge => 413,
        UnsupportedMediaType => 415,
        ValidationFailed => 422,
        RateLimited => 429,
        ServiceUnavailable => 503,
        _ => 500,
    };
}
