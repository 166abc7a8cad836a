using System.Text;
using Ipto.Api.Http.Idempotency;

namespace Ipto.Domain.Tests.Http;

public sealed class IdempotencyCryptoTests
{
    [Fact]
    public void SealedResponseOpensOnlyWithTheSameKeyTenantAndPrincipal()
    {
        var body = Encoding.UTF8.GetBytes("{\"data\":{\"key\":\"ipto_secret\"}}");
        var sealedBody = IdempotencyCrypto.Seal("tnt_a", "usr_a", "key-1", body);

        Assert.Equal(body, IdempotencyCrypto.Open("tnt_a", "usr_a", "key-1", sealedBody));
        Assert.Null(IdempotencyCrypto.Open("tnt_a", "usr_a", "key-2", sealedBody));
        Assert.Null(IdempotencyCrypto.Open("tnt_b", "usr_a", "key-1", sealedBody));
        Assert.Null(IdempotencyCrypto.Open("tnt_a", "usr_b", "key-1", sealedBody));
    }

    [Fact]
    public void SealedBytesDoNotContainThePlaintext()
    {
        var sealedBody = IdempotencyCrypto.Seal("t", "p", "k", Encoding.UTF8.GetBytes("ipto_abcdefgh_SECRETSECRET"));

        Assert.DoesNotContain("SECRET", Encoding.UTF8.GetString(sealedBody));
    }

    [Fact]
    public void GrainKeyDependsOnEveryPartAndHidesTheKey()
    {
        var key = IdempotencyCrypto.GrainKey("tnt_a", "usr_a", "my-key");

        Assert.DoesNotContain("my-key", key);
        Assert.NotEqual(key, IdempotencyCrypto.GrainKey("tnt_b", "usr_a", "my-key"));
        Assert.NotEqual(key, IdempotencyCrypto.GrainKey("tnt_a", "usr_b", "my-key"));
        Assert.NotEqual(key, IdempotencyCrypto.GrainKey("tnt_a", "usr_a", "my-key2"));
    }

    [Fact]
    public void FingerprintChangesWithMethodPathAndBody()
    {
        var body = "{\"a\":1}"u8.ToArray();
        var fingerprint = IdempotencyCrypto.Fingerprint("POST", "/v1/datasets", body);

        Assert.Equal(fingerprint, IdempotencyCrypto.Fingerprint("POST", "/v1/datasets", body));
        Assert.NotEqual(fingerprint, IdempotencyCrypto.Fingerprint("PUT", "/v1/datasets", body));
        Assert.NotEqual(fingerprint, IdempotencyCrypto.Fingerprint("POST", "/v1/datasets/x", body));
        Assert.NotEqual(fingerprint, IdempotencyCrypto.Fingerprint("POST", "/v1/datasets", "{\"a\":2}"u8.ToArray()));
    }

    [Theory]
    [InlineData("a", true)]
    [InlineData("0f9e0c8e-2f7d-4b55-a0b8-0bb1f1a3f0c1", true)]
    [InlineData("", false)]
    [InlineData("tab\there", false)]
    [InlineData("ünïcode", false)]
    public void KeyRules(string key, bool valid) => Assert.Equal(valid, IdempotencyFilter.IsValidKey(key));

    [Fact]
    public void KeyLongerThan255IsInvalid()
    {
        Assert.True(IdempotencyFilter.IsValidKey(new string('k', 255)));
        Assert.False(IdempotencyFilter.IsValidKey(new string('k', 256)));
    }
}
