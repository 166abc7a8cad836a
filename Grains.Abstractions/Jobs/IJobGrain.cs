using Ipto.Common;

namespace Ipto.Jobs;

/// <summary>A durable background job keyed by its <c>job_…</c> id. Work is done by the handler registered for its type.</summary>
[Alias("Ipto.IJobGrain")]
public interface IJobGrain : IGrainWithStringKey
{
    /// <summary>Creates the job and starts it; a second call with the same request returns the existing job.</summary>
    [Alias("Start")]
    Task<JobSnapshot> Start(JobRequest request);

    /// <summary>The job as the caller may see it; another tenant's job is not_found.</summary>
    [Alias("Get")]
    Task<JobSnapshot> Get(Caller caller);

    /// <summary>The job for internal tools and features that already checked tenancy.</summary>
    [Alias("GetInternal")]
    Task<JobSnapshot?> GetInternal();

    [Alias("Cancel")]
    Task<JobSnapshot> Cancel(Caller caller);

    /// <summary>Runs the job again if it is unfinished and not running here (the job sweeper's call); false if no such job exists.</summary>
    [Alias("Resume")]
    Task<bool> Resume();
}
