using Ipto.Grains.Storage;
using Ipto.Common;

namespace Ipto.Domain.Tests.Http;

public sealed class CursorCodecTests
{
    private readonly CursorCodec _codec = new(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray());

    [Fact]
    public void RoundTripsThePosition()
    {
        var cursor = _codec.Encode("datasets:tnt_a", "2026-04-05T10:00:00.000Z|dset_01");

        Assert.Equal("2026-04-05T10:00:00.000Z|dset_01", _codec.Decode("datasets:tnt_a", cursor));
    }

    [Fact]
    public void CursorIsOpaque()
    {
        var cursor = _codec.Encode("datasets:tnt_a", "dset_01");

        Assert.DoesNotContain("dset_01", cursor);
        Assert.DoesNotContain("+", cursor);
        Assert.DoesNotContain("/", cursor);
    }

    [Fact]
    public void TamperedCursorIsRefused()
    {
        var cursor = _codec.Encode("datasets:tnt_a", "dset_01");
        var flipped = cursor[..3] + (cursor[3] == 'A' ? 'B' : 'A') + cursor[4..];

        AssertInvalid(() => _codec.Decode("datasets:tnt_a", flipped));
    }

    [Fact]
    public void CursorOfAnotherListIsRefused()
    {
        var cursor = _codec.Encode("datasets:tnt_a", "dset_01");

        AssertInvalid(() => _codec.Decode("datasets:tnt_b", cursor));
    }

    [Fact]
    public void CursorSignedWithAnotherKeyIsRefused()
    {
        var other = new CursorCodec(new byte[32]);

        AssertInvalid(() => _codec.Decode("s", other.Encode("s", "p")));
    }

    [Theory]
    [InlineData("")]
    [InlineData("garbage")]
    [InlineData("a.b")]
    [InlineData("!!!.???")]
    [InlineData(".")]
    public void GarbageIsRefused(string cursor) => AssertInvalid(() => _codec.Decode("s", cursor));

    private static void AssertInvalid(Action decode)
    {
        var error = Assert.Throws<IptoException>(decode);
        Assert.Equal(ErrorCodes.InvalidRequest, error.Code);
    }
}
