namespace Ipto.Jobs;

public static class JobStatuses
{
    public const string Queued = "queued";
    public const string Running = "running";
    public const string Succeeded = "succeeded";
    public const string Failed = "failed";
    public const string Cancelled = "cancelled";

    public static bool IsTerminal(string status) => status is Succeeded or Failed or Cancelled;
}

/// <summary>What a feature asks the job grain to run: a registered handler type and its input.</summary>
[GenerateSerializer, Alias("Ipto.JobRequest")]
public sealed record JobRequest(
    [property: Id(0)] string TenantId,
    [property: Id(1)] string Type,
    [property: Id(2)] string Input);

[GenerateSerializer, Alias("Ipto.JobProgress")]
public sealed record JobProgress([property: Id(0)] long Completed, [property: Id(1)] long Total);

[GenerateSerializer, Alias("Ipto.JobSnapshot")]
public sealed record JobSnapshot(
    [property: Id(0)] string JobId,
    [property: Id(1)] string TenantId,
    [property: Id(2)] string Type,
    [property: Id(3)] string Status,
    [property: Id(4)] JobProgress Progress,
    [property: Id(5)] string? Result,
    [property: Id(6)] string? Error,
    [property: Id(7)] DateTimeOffset CreatedAt,
    [property: Id(8)] DateTimeOffset UpdatedAt,
    [property: Id(9)] int Attempts);
