using Ipto.ApiKeys;
using Ipto.Common;
using Ipto.Grains.Tests.Support;
using Ipto.Idempotency;
using Ipto.Testing;

namespace Ipto.Grains.Tests.ApiKeys;

/// <summary>The key rules live in the directory grain, so an internal tool calling it gets what the REST API answers.</summary>
[Collection(SharedClusterCollection.Name)]
public sealed class ApiKeyDirectoryTests(SharedCluster shared)
{
    private static readonly Caller Owner = new("tnt_issuer", "usr_issuer", "user", ["keys:write", "search:query"], false);

    private static ApiKeyRequest Request(IReadOnlyList<string>? scopes = null, IReadOnlyList<string>? datasets = null) =>
        new("agent", scopes ?? ["search:query"], datasets is null ? "all_available" : "allow_list", datasets ?? [], null, null, null);

    [Fact]
    public async Task TheRulesHoldAndASeedIssuesTheSameKeyAgain()
    {
        var cluster = shared.Cluster;
        var issuer = cluster.Client.GetGrain<IApiKeyDirectoryGrain>(0);

        var escalation = await Assert.ThrowsAsync<IptoException>(() => issuer.Issue(Owner, Request(["search:query", "admin:*"])));
        var foreign = await Assert.ThrowsAsync<IptoException>(() => issuer.Issue(Owner, Request(datasets: [Ids.New(IdPrefixes.Dataset)])));
        var seed = new CreationSeed(DateTimeOffset.UtcNow, [1, 2, 3, 4], [5, 6, 7, 8]);
        var first = await issuer.Issue(Owner, Request(), seed);
        var again = await issuer.Issue(Owner, Request(), seed);
        var fresh = await issuer.Issue(Owner, Request());

        Assert.Equal(ErrorCodes.Forbidden, escalation.Code);
        Assert.Contains("admin:*", escalation.Message, StringComparison.Ordinal);
        Assert.Equal(ErrorCodes.ValidationFailed, foreign.Code);
        Assert.Equal("dataset_ids[0]", Assert.Single(foreign.Details).Field);
        Assert.Equal(first.Key.KeyId, again.Key.KeyId);
        Assert.Equal(first.Secret, again.Secret);
        Assert.NotEqual(first.Key.KeyId, fresh.Key.KeyId);
        Assert.StartsWith($"ipto_{first.Key.Prefix}_", first.Secret, StringComparison.Ordinal);
        Assert.NotNull(await cluster.Client.GetGrain<IApiKeyGrain>(first.Key.Prefix).Authenticate(first.Secret[(first.Key.Prefix.Length + 6)..]));
    }

    [Fact]
    public async Task AnExpiryInAnyOffsetIsKeptInUtc()
    {
        var issuer = shared.Cluster.Client.GetGrain<IApiKeyDirectoryGrain>(0);
        var expires = new DateTimeOffset(2031, 5, 6, 7, 8, 9, TimeSpan.FromHours(-5));

        var issued = await issuer.Issue(Owner, Request() with { ExpiresAt = expires });

        Assert.Equal(TimeSpan.Zero, issued.Key.ExpiresAt!.Value.Offset);
        Assert.Equal(expires.UtcDateTime, issued.Key.ExpiresAt.Value.UtcDateTime);
        Assert.Equal(TimeSpan.Zero, (await issuer.Get(Owner, issued.Key.KeyId)).ExpiresAt!.Value.Offset);
    }
}
