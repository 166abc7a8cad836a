using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Ipto.Common;
using Ipto.Datasets;
using Ipto.Objects;

namespace Ipto.Grains.Outbox;

/// <summary>The events grains record, with their data shaped as the API shows the subject (SPEC §13).</summary>
public static class OutboxEvents
{
    /// <summary>An event whose data is <paramref name="subject"/> as the API shows it plus <c>previous_status</c>.</summary>
    public static OutboxEvent OfSubject<T>(string type, string tenantId, string subjectId, DateTimeOffset at, T subject, JsonTypeInfo<T> shape,
        string? previousStatus)
    {
        var data = JsonSerializer.SerializeToNode(subject, shape)!.AsObject();
        data["previous_status"] = previousStatus;
        return new OutboxEvent(Ids.New(IdPrefixes.Event), type, tenantId, subjectId, at, data.ToJsonString());
    }

    /// <summary>
    /// Writes the pending events with <paramref name="project"/> (the grain's projection, in its transaction) and then
    /// forgets the ones written; the trimmed list reaches storage with the grain's next state write, and until then a
    /// repeated projection writes them again harmlessly.
    /// </summary>
    public static async Task ProjectAsync(List<OutboxEvent> pending, Func<IReadOnlyList<OutboxEvent>, Task> project)
    {
        var batch = pending.ToArray();
        await project(batch);
        pending.RemoveAll(batch.Contains);
    }
}

/// <summary>Event data: snake_case and SPEC timestamps, as the API's bodies.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, Converters = [typeof(UtcMillisecondsConverter)])]
[JsonSerializable(typeof(ObjectResponse))]
[JsonSerializable(typeof(DatasetResponse))]
[JsonSerializable(typeof(SpendThresholdData))]
[JsonSerializable(typeof(WebhookTestData))]
public sealed partial class EventJson : JsonSerializerContext;

/// <summary>The data of <c>spend.threshold_reached</c>: the key, its period, the threshold crossed and the amounts in USD.</summary>
public sealed record SpendThresholdData(string ApiKeyId, string TenantId, string Period, int ThresholdPct, decimal Spent, decimal Limit, string Currency);

/// <summary>The data of <c>webhook.test</c>.</summary>
public sealed record WebhookTestData(string WebhookId, string Message);
