using Ipto.Api.Http;
using Ipto.Api.Http.Auth;
using Ipto.Common;
using Ipto.Jobs;
using Microsoft.AspNetCore.Mvc;

namespace Ipto.Api.Endpoints;

public sealed record JobProgressResponse(long Completed, long Total);

public sealed record JobResponse(
    string JobId, string Type, string Status, JobProgressResponse Progress, string? Result, string? Error,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    public static JobResponse From(JobSnapshot job) => new(job.JobId, job.Type, job.Status,
        new JobProgressResponse(job.Progress.Completed, job.Progress.Total), job.Result, job.Error, job.CreatedAt, job.UpdatedAt);
}

/// <summary><c>GET /v1/jobs/{job_id}</c>: the owning tenant's principals and platform admins see a job.</summary>
public static class JobsEndpoints
{
    public static RouteGroupBuilder MapJobsEndpoints(this RouteGroupBuilder v1)
    {
        var group = v1.MapGroup("/jobs").WithTags("Jobs");
        group.MapGet("/{job_id}", GetJobAsync).WithName("GetJob");
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
