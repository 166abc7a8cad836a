using System.Text.Json;
using System.Text.Json.Serialization;
using Ipto.Common;
using Ipto.Grains.Jobs;
using Ipto.Jobs;
using Ipto.Objects;
using Microsoft.Extensions.Logging;

namespace Ipto.Grains.Objects;

/// <summary>What a <see cref="BulkObjectDelete.JobType"/> job runs: the principal that asked (of the job's tenant) and the ids in order.</summary>
public sealed record BulkDeleteInput(string PrincipalId, string PrincipalType, IReadOnlyList<string> ObjectIds)
{
    /// <summary>The caller each delete runs as: the requesting principal of the job's tenant, with the scope the request was allowed under.</summary>
    public Caller CallerOf(string tenantId) => new(tenantId, PrincipalId, PrincipalType, [Ipto.Identity.Scopes.ObjectsWrite], IsPlatformAdmin: false);
}

public sealed record BulkDeleteItemError(string Code, string Message);

/// <summary>One id's outcome: <c>deleted</c>, <c>not_found</c> (unknown, or another tenant's), or <c>error</c> with the reason.</summary>
public sealed record BulkDeleteItem(string ObjectId, string Status, BulkDeleteItemError? Error = null);

/// <summary>The job's result (and, partial, its checkpoint): an item per listed id, in the request's order, and the counts.</summary>
public sealed record BulkDeleteResult(IReadOnlyList<BulkDeleteItem> Items, int Deleted, int NotFound, int Errors)
{
    public static BulkDeleteResult Of(IReadOnlyList<BulkDeleteItem> items) => new(items,
        items.Count(i => i.Status == BulkObjectDelete.Deleted), items.Count(i => i.Status == BulkObjectDelete.NotFound),
        items.Count(i => i.Status == BulkObjectDelete.Error));
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(BulkDeleteInput))]
[JsonSerializable(typeof(BulkDeleteResult))]
internal sealed partial class BulkDeleteJson : JsonSerializerContext;

/// <summary>
/// The <see cref="BulkObjectDelete.JobType"/> job: deletes each listed object through <see cref="IObjectGrain.Delete"/>,
/// the call of <c>DELETE /v1/objects/{id}</c> (tombstone, out of search at once, its own <c>object_purge</c> job), as the
/// principal that asked, so another tenant's object answers not_found and is never touched. Works in batches, saving the
/// items so far as its checkpoint; after a crash it resumes there (a repeated delete answers the tombstone: <c>deleted</c>).
/// </summary>
public sealed class BulkObjectDeleteHandler(IGrainFactory grains, ILogger<BulkObjectDeleteHandler> logger) : IJobHandler
{
    private const int BatchSize = 50;

    public string Type => BulkObjectDelete.JobType;

    public static string InputOf(Caller caller, IReadOnlyList<string> objectIds) =>
        JsonSerializer.Serialize(new BulkDeleteInput(caller.PrincipalId, caller.PrincipalType, objectIds), BulkDeleteJson.Default.BulkDeleteInput);

    public async Task<string?> RunAsync(JobExecution execution, CancellationToken cancellationToken)
    {
        var input = JsonSerializer.Deserialize(execution.Input, BulkDeleteJson.Default.BulkDeleteInput)
                    ?? throw new JobFailedException("The job's input is not readable.");
        var caller = input.CallerOf(execution.TenantId);
        var items = new List<BulkDeleteItem>(input.ObjectIds.Count);
        if (execution.Checkpoint is { } checkpoint && JsonSerializer.Deserialize(checkpoint, BulkDeleteJson.Default.BulkDeleteResult) is { } done)
            items.AddRange(done.Items);

        while (items.Count < input.ObjectIds.Count)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var batch = input.ObjectIds.Skip(items.Count).Take(BatchSize).Select(id => DeleteAsync(caller, id));
            items.AddRange(await Task.WhenAll(batch));
            await execution.SaveProgressAsync(new JobProgress(items.Count, input.ObjectIds.Count), Serialize(BulkDeleteResult.Of(items)));
        }

        return Serialize(BulkDeleteResult.Of(items));
    }

    private async Task<BulkDeleteItem> DeleteAsync(Caller caller, string objectId)
    {
        if (!Ids.IsValid(objectId, IdPrefixes.Object)) return new BulkDeleteItem(objectId, BulkObjectDelete.NotFound);
        try
        {
            await grains.GetGrain<IObjectGrain>(objectId).Delete(caller);
            return new BulkDeleteItem(objectId, BulkObjectDelete.Deleted);
        }
        catch (IptoException e) when (e.Code == ErrorCodes.NotFound)
        {
            return new BulkDeleteItem(objectId, BulkObjectDelete.NotFound);
        }
        catch (Exception e) when (!CallFailures.IsTransient(e))
        {
            // A transient failure fails the attempt (the sweeper resumes from the checkpoint); anything else is this item's answer.
            if (e is not IptoException) logger.LogError(e, "Deleting object {ObjectId} in a bulk delete failed", objectId);
            return e is IptoException ipto
                ? new BulkDeleteItem(objectId, BulkObjectDelete.Error, new BulkDeleteItemError(ipto.Code, ipto.Message))
                : new BulkDeleteItem(objectId, BulkObjectDelete.Error, new BulkDeleteItemError(ErrorCodes.InternalError, "The object could not be deleted."));
        }
    }

    private static string Serialize(BulkDeleteResult result) => JsonSerializer.Serialize(result, BulkDeleteJson.Default.BulkDeleteResult);
}
