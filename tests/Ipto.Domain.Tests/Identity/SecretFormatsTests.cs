using Ipto.Identity;
using Ipto.Grains.Identity;

namespace Ipto.Domain.Tests.Identity;

public sealed class SecretFormatsTests
{
    [Fact]
    public void SessionTokensCarry256BitsOfRandomness()
    {
        var token = SecretTokens.NewSessionToken();

        Assert.StartsWith("sess_", token);
        Assert.Equal(43, token.Length - 5);
        Assert.True(Math.Log2(62) * 43 >= 256);
        Assert.NotEqual(token, SecretTokens.NewSessionToken());
    }

    [Fact]
    public void NewApiKeysParseBack()
    {
        var (key, prefix, secret) = ApiKeyFormat.New();

        Assert.Equal($"ipto_{prefix}_{secret}", key);
        Assert.True(ApiKeyFormat.TryParse(key, out var parsedPrefix, out var parsedSecret));
        Assert.Equal(prefix, parsedPrefix);
        Assert.Equal(secret, parsedSecret);
        Assert.Matches("^[a-z0-9]{8}$", prefix);
        Assert.True(secret.Length >= 32);
    }

    [Theory]
    [InlineData("ipto_abcdefgh_0123456789012345678901234567890")]
    [InlineData("ipto_ABCDEFGH_01234567890123456789012345678901")]
    [InlineData("ipto_abcdefg_012345678901234567890123456789012")]
    [InlineData("ipto_abcdefgh-01234567890123456789012345678901")]
    [InlineData("ipto_abcdefgh_0123456789012345678901234567890!")]
    [InlineData("key_abcdefgh_01234567890123456789012345678901")]
    [InlineData("sess_abc")]
    public void MalformedKeysDoNotParse(string value) => Assert.False(ApiKeyFormat.TryParse(value, out _, out _));

    [Fact]
    public void StoredHashComparesOnlyWithTheSameSecret()
    {
        var hash = SecretTokens.Hash("secret-a");

        Assert.True(SecretTokens.HashEquals("secret-a", hash));
        Assert.False(SecretTokens.HashEquals("secret-b", hash));
        Assert.False(SecretTokens.HashEquals("secret-a", "not hex"));
        Assert.DoesNotContain("secret-a", hash);
    }

    [Theory]
    [InlineData("a@b.example", true)]
    [InlineData("  Ada.Lovelace+tag@Example.COM ", true)]
    [InlineData("no-at.example", false)]
    [InlineData("two@@example.com", false)]
    [InlineData("a@nodot", false)]
    [InlineData("@example.com", false)]
    [InlineData("a b@example.com", false)]
    [InlineData("", false)]
    public void EmailSyntax(string email, bool valid) => Assert.Equal(valid, EmailAddress.IsValid(email));

    [Fact]
    public void EmailsNormalizeToTrimmedLowercase() => Assert.Equal("ada@example.com", EmailAddress.Normalize("  Ada@Example.COM "));
}
