using Ipto.Jobs;

namespace Ipto.Grains.Jobs;

[GenerateSerializer, Alias("Ipto.JobState")]
public sealed class JobState
{
    [Id(0)] public string TenantId { get; set; } = "";
    [Id(1)] public string Type { get; set; } = "";
    [Id(2)] public string Input { get; set; } = "";
    [Id(3)] public string Status { get; set; } = JobStatuses.Queued;
    [Id(4)] public long Completed { get; set; }
    [Id(5)] public long Total { get; set; }
    [Id(6)] public string? Checkpoint { get; set; }
    [Id(7)] public string? Result { get; set; }
    [Id(8)] public string? Error { get; set; }
    [Id(9)] public DateTimeOffset CreatedAt { get; set; }
    [Id(10)] public DateTimeOffset UpdatedAt { get; set; }
    [Id(11)] public long Version { get; set; }
    [Id(12)] public int Attempts { get; set; }
}
