using Ipto.Grains.Hosting;
using Ipto.Grains.Identity;

namespace Ipto.Domain.Tests.Identity;

public sealed class PasswordHasherTests
{
    private readonly PasswordHasher _hasher = new(1_000);

    [Fact]
    public void DefaultWorkFactorMeetsOwasp()
    {
        Assert.True(new IptoOptions().Identity.PasswordIterations >= 600_000);
        Assert.Equal(600_000, PasswordHasher.DefaultIterations);
    }

    [Fact]
    public void HashRecordsAlgorithmAndParametersAndVerifies()
    {
        var hash = _hasher.Hash("correct horse");

        var parts = hash.Split('$');
        Assert.Equal("pbkdf2-sha256", parts[0]);
        Assert.Equal("1000", parts[1]);
        Assert.Equal(16, Convert.FromBase64String(parts[2]).Length);
        Assert.Equal(32, Convert.FromBase64String(parts[3]).Length);
        Assert.DoesNotContain("correct horse", hash);
        Assert.Equal(PasswordCheck.Match, _hasher.Verify("correct horse", hash));
        Assert.Equal(PasswordCheck.Mismatch, _hasher.Verify("correct horsf", hash));
    }

    [Fact]
    public void SamePasswordGetsADifferentSaltEachTime() => Assert.NotEqual(_hasher.Hash("pw"), _hasher.Hash("pw"));

    [Fact]
    public void HashFromALowerWorkFactorVerifiesAndAsksForARehash()
    {
        var old = new PasswordHasher(500).Hash("pw");

        Assert.Equal(PasswordCheck.MatchNeedsRehash, _hasher.Verify("pw", old));
        Assert.Equal(PasswordCheck.Mismatch, _hasher.Verify("other", old));
    }

    [Theory]
    [InlineData("")]
    [InlineData("plain")]
    [InlineData("md5$1$a$b")]
    [InlineData("pbkdf2-sha256$x$AAAA$AAAA")]
    [InlineData("pbkdf2-sha256$10$!!$AAAA")]
    public void MalformedStoredHashNeverMatches(string stored) => Assert.Equal(PasswordCheck.Mismatch, _hasher.Verify("pw", stored));
}
