using System.Text.Json;
using System.Text.Json.Serialization;
using Ipto.Common;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace Ipto.Api.Http;

/// <summary>
/// One item of a batch's answer (SPEC §13): its position in the request, the HTTP status its single call would give,
/// and that call's <c>data</c> or error object (<c>{code, message, details}</c>); the other one is left out.
/// </summary>
public sealed record BulkItemResponse<T>(
    int Index,
    int Status,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] T? Data,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] ErrorBody? Error)
    where T : class;

/// <summary>A batch's answer: an item per request item, in the request's order.</summary>
public sealed record BulkItemsResponse<T>(IReadOnlyList<BulkItemResponse<T>> Items) where T : class;

/// <summary>OpenAPI: the items of this list property are bodies of <see cref="ItemType"/> (bound one by one, so one bad item fails only itself).</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class BulkItemsOfAttribute(Type itemType) : Attribute
{
    public Type ItemType { get; } = itemType;
}

/// <summary>
/// Runs a batch's items through the code path of their single call: each item is bound with the single call's body rules
/// (<see cref="JsonBody{T}.Read"/>: 400 for a non-object, 422 naming fields) and handled by the single call's function,
/// and its answer, success or error, becomes that item's. A dependency outage (503) fails the whole batch instead, so
/// that it is not kept under an Idempotency-Key and a retry with the key runs every item again, creating nothing twice
/// (creates derive their ids from the key's seed per item).
/// </summary>
public static class BulkItems
{
    /// <summary>How many items of one batch run at once.</summary>
    public const int Parallelism = 8;

    public static async Task<EnvelopeResult<BulkItemsResponse<TResult>>> RunAsync<TItem, TResult>(
        HttpContext http, IReadOnlyList<JsonElement> items, Func<TItem, int, Task<EnvelopeResult<TResult>>> run)
        where TItem : class
        where TResult : class
    {
        var options = http.RequestServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
        var logger = http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(BulkItems).FullName!);
        var requestId = http.TraceIdentifier;
        var aborted = http.RequestAborted;
        var answers = new BulkItemResponse<TResult>[items.Count];
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = aborted };
        await Parallel.ForEachAsync(Enumerable.Range(0, items.Count), parallel, async (index, _) =>
        {
            try
            {
                var result = await run(JsonBody<TItem>.Read(items[index], options), index);
                answers[index] = new BulkItemResponse<TResult>(index, result.StatusCode, result.Value, null);
            }
            catch (Exception e) when (!CallFailures.IsTransient(e) && !aborted.IsCancellationRequested)
            {
                if (e is not IptoException) logger.LogError(e, "Item {Index} of batch request {RequestId} failed", index, requestId);
                var error = e is IptoException ipto
                    ? ApiResults.Error(ipto)
                    : ApiResults.Error(ErrorCodes.InternalError, "An internal error occurred. Quote the request id when reporting it.");
                answers[index] = new BulkItemResponse<TResult>(index, error.StatusCode, null, error.Body);
            }
        });
        return ApiResults.Ok(new BulkItemsResponse<TResult>(answers));
    }
}

/// <summary>The item counts of the batch endpoints (SPEC §13).</summary>
public static class BulkLimits
{
    public const int MaxUploads = 100;
    public const int MaxDatasetUpdates = 100;
}
