using System.Net;
using Ipto.Api.Tests.Support;
using Ipto.Testing;
using Ipto.Common;
using Ipto.Jobs;
using Microsoft.Extensions.DependencyInjection;

namespace Ipto.Api.Tests.Jobs;

public sealed class JobsEndpointsTests(ApiFixture api) : IClassFixture<ApiFixture>
{
    private async Task<string> StartJobAsync(Caller owner)
    {
        var jobId = Ids.New(IdPrefixes.Job);
        // No job type is registered yet: the job still exists and fails with a clear error.
        await api.Factory.Services.GetRequiredService<IGrainFactory>().GetGrain<IJobGrain>(jobId)
            .Start(new JobRequest(owner.TenantId, "example.unregistered", "{}"));
        return jobId;
    }

    [Fact]
    public async Task OwnerSeesTheJob()
    {
        var jobId = await StartJobAsync(IptoApiFactory.Alice);
        using var client = api.Factory.ClientFor(IptoApiFactory.Alice);

        var data = await (await client.GetAsync($"/v1/jobs/{jobId}")).DataAsync();

        Assert.Equal(jobId, data.GetProperty("job_id").GetString());
        Assert.Equal("example.unregistered", data.GetProperty("type").GetString());
        Assert.Contains(data.GetProperty("status").GetString(), new[] { "queued", "running", "failed" });
        Assert.True(data.GetProperty("progress").TryGetProperty("completed", out _));
        Assert.Matches(ApiHttp.Timestamp(), data.GetProperty("created_at").GetString()!);
    }

    [Fact]
    public async Task JobReachesItsTerminalStatusVisibleOverHttp()
    {
        var jobId = await StartJobAsync(IptoApiFactory.Alice);
        using var client = api.Factory.ClientFor(IptoApiFactory.Alice);

        var deadline = DateTime.UtcNow.AddSeconds(20);
        string? status;
        do
        {
            var data = await (await client.GetAsync($"/v1/jobs/{jobId}")).DataAsync();
            status = data.GetProperty("status").GetString();
            if (status == "failed")
            {
                Assert.Contains("example.unregistered", data.GetProperty("error").GetString());
                return;
            }

            await Task.Delay(50);
        }
        while (DateTime.UtcNow < deadline);

        Assert.Fail($"The job stayed {status}.");
    }

    [Fact]
    public async Task AnotherTenantGetsNotFound()
    {
        var jobId = await StartJobAsync(IptoApiFactory.Alice);
        using var client = api.Factory.ClientFor(IptoApiFactory.Bob);

        await (await client.GetAsync($"/v1/jobs/{jobId}")).ErrorAsync(HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task PlatformAdminSeesAnyTenantsJob()
    {
        var jobId = await StartJobAsync(IptoApiFactory.Alice);
        using var client = api.Factory.ClientFor(IptoApiFactory.Admin);

        await (await client.GetAsync($"/v1/jobs/{jobId}")).DataAsync();
    }

    [Theory]
    [InlineData("job_nope")]
    [InlineData("dset_01jq3n5a7v8x9y0z1a2b3c4d5e")]
    [InlineData("job_01jq3n5a7v8x9y0z1a2b3c4d5e")]
    public async Task MalformedOrUnknownIdIsNotFound(string jobId)
    {
        using var client = api.Factory.ClientFor(IptoApiFactory.Alice);

        await (await client.GetAsync($"/v1/jobs/{jobId}")).ErrorAsync(HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task NoCredentialIsUnauthenticated()
    {
        var jobId = await StartJobAsync(IptoApiFactory.Alice);
        using var client = api.Factory.ClientFor(null);

        await (await client.GetAsync($"/v1/jobs/{jobId}")).ErrorAsync(HttpStatusCode.Unauthorized, "unauthenticated");
    }
}
