using System.Net;
using Ipto.Api.Tests.Support;
using Ipto.Testing;
using Ipto.Common;
using Ipto.Jobs;

namespace Ipto.Api.Tests.Http;

public sealed class RestartTests
{
    [Fact]
    public async Task StateWrittenBeforeARestartIsStillThere()
    {
        var dataDir = Directory.CreateTempSubdirectory("ipto-restart-").FullName;
        var key = Guid.NewGuid().ToString();
        var jobId = Ids.New(IdPrefixes.Job);
        byte[] firstBody;
        await using (var before = new IptoApiFactory(dataDir))
        {
            using var client = before.ClientFor(IptoApiFactory.Alice);
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/test/counters") { Content = ApiHttp.Json("{\"name\":\"durable\",\"amount\":3}") };
            request.Headers.Add("Idempotency-Key", key);
            var response = await client.SendAsync(request);
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            firstBody = await response.Content.ReadAsByteArrayAsync();
            await before.Services.GetRequiredService<IGrainFactory>().GetGrain<IJobGrain>(jobId)
                .Start(new JobRequest(IptoApiFactory.Alice.TenantId, "example.unregistered", "{}"));
        }

        await using var after = new IptoApiFactory(dataDir);
        using var again = after.ClientFor(IptoApiFactory.Alice);
        using var retry = new HttpRequestMessage(HttpMethod.Post, "/v1/test/counters") { Content = ApiHttp.Json("{\"name\":\"durable\",\"amount\":3}") };
        retry.Headers.Add("Idempotency-Key", key);

        var replayed = await again.SendAsync(retry);
        var job = await (await again.GetAsync($"/v1/jobs/{jobId}")).DataAsync();

        Assert.True(replayed.Headers.Contains("Idempotency-Replayed"));
        Assert.Equal(firstBody, await replayed.Content.ReadAsByteArrayAsync());
        Assert.False(after.Endpoints.Counters.ContainsKey("durable"));
        Assert.Equal("example.unregistered", job.GetProperty("type").GetString());
        Directory.Delete(dataDir, recursive: true);
    }
}
