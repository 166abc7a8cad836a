using Ipto.Grains.Search;

namespace Ipto.Domain.Tests.Search;

public sealed class VectorFileTests
{
    [Fact]
    public async Task VectorsRoundTripWithTheCountSetOnDispose()
    {
        var vectors = Enumerable.Range(0, 5).Select(i => new[] { i, -i, i / 3f, float.Epsilon }).ToArray();
        using var buffer = new MemoryStream();
        await using (var writer = await VectorFile.OpenWriterAsync(buffer, 4))
            foreach (var v in vectors) await writer.AppendAsync(v);

        Assert.Equal(VectorFile.SizeOf(4, 5), buffer.Length);
        buffer.Position = 0;
        var read = await VectorFile.ReadAsync(buffer);
        Assert.Equal(vectors.Length, read.Length);
        for (var i = 0; i < vectors.Length; i++) Assert.Equal(vectors[i], read[i]);
    }

    [Fact]
    public async Task BadInputIsRefused()
    {
        using var buffer = new MemoryStream();
        await using (var writer = await VectorFile.OpenWriterAsync(buffer, 3))
            await Assert.ThrowsAsync<ArgumentException>(() => writer.AppendAsync([1f, 2f]));

        await Assert.ThrowsAsync<InvalidDataException>(() => VectorFile.ReadAsync(new MemoryStream(new byte[16])));
    }
}
