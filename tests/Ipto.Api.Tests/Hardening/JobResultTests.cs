using System.Net;
using System.Text.Json;
using Ipto.Api.Tests.Support;
using Ipto.Testing;

namespace Ipto.Api.Tests.Hardening;

public sealed class JobResultTests(IdentityFixture fixture) : IClassFixture<IdentityFixture>
{
    private IptoApiFactory Api => fixture.Factory;

    [Fact]
    public async Task FinishedJobShowsItsResultAsAJsonObjectAndCompleteProgress()
    {
        using var owner = Api.WithBearer((await Api.SignupAsync()).SessionToken);
        var datasetId = (await (await owner.PostAsync("/v1/datasets", ApiHttp.Json("""{"name":"Short-lived"}"""))).DataAsync(HttpStatusCode.Created))
            .GetProperty("dataset_id").GetString();
        var jobId = (await (await owner.DeleteAsync($"/v1/datasets/{datasetId}")).DataAsync(HttpStatusCode.Accepted)).GetProperty("job_id").GetString();

        var job = await Eventually.Until(async () => await (await owner.GetAsync($"/v1/jobs/{jobId}")).DataAsync(),
            j => j.GetProperty("status").GetString() is "succeeded" or "failed", TimeSpan.FromSeconds(30), "the deletion job to finish");

        Assert.Equal("succeeded", job.GetProperty("status").GetString());
        var result = job.GetProperty("result");
        Assert.Equal(JsonValueKind.Object, result.ValueKind);
        Assert.Equal(datasetId, result.GetProperty("dataset_id").GetString());
        var progress = job.GetProperty("progress");
        Assert.True(progress.GetProperty("total").GetInt64() >= 1);
        Assert.Equal(progress.GetProperty("total").GetInt64(), progress.GetProperty("completed").GetInt64());
    }
}
