using System.Text.Json;
using Ipto.Api.Http;
using Ipto.Api.Http.OpenApi;
using Ipto.Api.Http.Auth;
using Ipto.Common;
using Ipto.Jobs;
using Microsoft.AspNetCore.Mvc;

namespace Ipto.Api.Endpoints;

public sealed record JobProgressResponse(long Completed, long Total);

/// <summary>A job as SPEC §10 shows it; <c>result</c> is the handler's JSON object itself, not a string holding it.</summary>
public sealed record JobResponse(
    string JobId, string Type, string Status, JobProgressResponse Progress, JsonElement? Result, string? Error,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    public static JobResponse From(JobSnapshot job) => new(job.JobId, job.Type, job.Status,
        new JobProgressResponse(job.Progress.Completed, job.Progress.Total), ResultOf(job.Result), job.Error, job.CreatedAt, job.UpdatedAt);

    /// <summary>Handlers return JSON text; anything else (older or foreign state) is shown as <c>{"value": text}</c>, never as a bare string.</summary>
    private static JsonElement? ResultOf(string? result)
    {
        if (string.IsNullOrWhiteSpace(result)) return null;
        try
        {
            using var document = JsonDocument.Parse(result);
            if (document.RootElement.ValueKind == JsonValueKind.Object) return document.RootElement.Clone();
            return Wrap(document.RootElement);
        }
        catch (JsonException)
        {
            return Wrap(JsonSerializer.SerializeToElement(result, ApiJsonContext.Default.String));
        }
    }

    private static JsonElement Wrap(JsonElement value)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            writer.WritePropertyName("value");
            value.WriteTo(writer);
            writer.WriteEndObject();
        }

        using var document = JsonDocument.Parse(stream.ToArray());
        return document.RootElement.Clone();
    }
}

/// <summary><c>GET /v1/jobs/{job_id}</c>: the owning tenant's principals and platform admins see a job.</summary>
public static class JobsEndpoints
{
    public static RouteGroupBuilder MapJobsEndpoints(this RouteGroupBuilder v1)
    {
        var group = v1.MapGroup("/jobs").WithTags("Jobs");
        group.MapGet("/{job_id}", GetJobAsync).WithName("GetJob")
            .WithSummary("Get a job")
            .WithDescription("A background job's status, progress and result (for the tenant that started it and platform admins).");
        return v1;
    }

    private static async Task<EnvelopeResult<JobResponse>> GetJobAsync([FromRoute(Name = "job_id")] string jobId, HttpContext http, IGrainFactory grains)
    {
        var caller = http.Require();
        if (!Ids.IsValid(jobId, IdPrefixes.Job)) throw IptoException.NotFound("Job");
        var job = await grains.GetGrain<IJobGrain>(jobId).Get(caller);
        return ApiResults.Ok(JobResponse.From(job));
    }
}
