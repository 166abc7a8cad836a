using System.Buffers.Binary;
using Ipto.Grains.Search;

namespace Ipto.Domain.Tests.Search;

public sealed class VectorFileTests
{
    private static float[][] Vectors(int count, int dimensions) =>
        Enumerable.Range(0, count).Select(i => Enumerable.Range(0, dimensions).Select(d => (i + 1) * 0.5f - d * 0.125f).ToArray()).ToArray();

    private static async Task<MemoryStream> WriteAsync(int dimensions, IEnumerable<float[]> vectors)
    {
        var stream = new MemoryStream();
        await using (var writer = await VectorFile.OpenWriterAsync(stream, dimensions))
        {
            foreach (var v in vectors) await writer.AppendAsync(v);
        }

        return stream;
    }

    [Fact]
    public async Task VectorsRoundTripInOrder()
    {
        var vectors = Vectors(5, 8);
        using var stream = await WriteAsync(8, vectors);

        stream.Position = 0;
        var read = await VectorFile.ReadAsync(stream);

        Assert.Equal(vectors, read);
    }

    [Fact]
    public async Task DisposingPatchesTheCountIntoTheHeaderAndLeavesTheStreamAtItsEnd()
    {
        using var stream = await WriteAsync(3, Vectors(7, 3));

        Assert.Equal(stream.Length, stream.Position); // more could follow the file, not overwrite it
        Assert.Equal("IPTOVEC1"u8.ToArray(), stream.ToArray()[..8]);
        Assert.Equal(3, BinaryPrimitives.ReadInt32LittleEndian(stream.ToArray().AsSpan(8)));
        Assert.Equal(7, BinaryPrimitives.ReadInt32LittleEndian(stream.ToArray().AsSpan(12)));
    }

    [Theory]
    [InlineData(384, 0)]
    [InlineData(384, 1)]
    [InlineData(3, 7)]
    [InlineData(1, 1000)]
    public async Task SizeOfIsTheWrittenLength(int dimensions, int count)
    {
        using var stream = await WriteAsync(dimensions, Vectors(count, dimensions));

        Assert.Equal(stream.Length, VectorFile.SizeOf(dimensions, count));
    }

    [Fact]
    public void SizeOfDoesNotOverflowForLargeFiles() =>
        Assert.Equal(16 + 1_000_000L * 4096 * 4, VectorFile.SizeOf(4096, 1_000_000));

    [Fact]
    public async Task AnEmptyFileReadsAsNoVectors()
    {
        using var stream = await WriteAsync(384, []);

        stream.Position = 0;
        Assert.Empty(await VectorFile.ReadAsync(stream));
    }

    [Fact]
    public async Task SpecialFloatsRoundTripBitForBit()
    {
        float[] special = [float.NaN, float.PositiveInfinity, float.NegativeInfinity, -0f, float.Epsilon, float.MaxValue];
        using var stream = await WriteAsync(special.Length, [special]);

        stream.Position = 0;
        var read = Assert.Single(await VectorFile.ReadAsync(stream));

        Assert.Equal(special.Select(BitConverter.SingleToInt32Bits), read.Select(BitConverter.SingleToInt32Bits));
    }

    [Fact]
    public async Task BadMagicIsInvalidData()
    {
        using var stream = await WriteAsync(4, Vectors(2, 4));
        var bytes = stream.ToArray();
        bytes[0] = (byte)'X';

        await Assert.ThrowsAsync<InvalidDataException>(() => VectorFile.ReadAsync(new MemoryStream(bytes)));
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(-1, 1)]
    [InlineData(4097, 1)]
    [InlineData(4, -1)]
    public async Task AHeaderOutOfRangeIsInvalidData(int dimensions, int count)
    {
        var header = new byte[16];
        "IPTOVEC1"u8.CopyTo(header);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(8), dimensions);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(12), count);

        await Assert.ThrowsAsync<InvalidDataException>(() => VectorFile.ReadAsync(new MemoryStream(header)));
    }

    [Fact]
    public async Task ATruncatedFileFailsInsteadOfReturningPartialVectors()
    {
        using var stream = await WriteAsync(4, Vectors(3, 4));
        var truncated = stream.ToArray()[..^2];

        await Assert.ThrowsAsync<EndOfStreamException>(() => VectorFile.ReadAsync(new MemoryStream(truncated)));
    }

    [Fact]
    public async Task AppendingAVectorOfAnotherDimensionIsRefusedAndLeavesTheFileValid()
    {
        using var stream = new MemoryStream();
        await using (var writer = await VectorFile.OpenWriterAsync(stream, 4))
        {
            await writer.AppendAsync([1, 2, 3, 4]);
            await Assert.ThrowsAsync<ArgumentException>(() => writer.AppendAsync([1, 2, 3]));
            await Assert.ThrowsAsync<ArgumentException>(() => writer.AppendAsync([1, 2, 3, 4, 5]));
            await writer.AppendAsync([5, 6, 7, 8]);
        }

        stream.Position = 0;
        Assert.Equal([[1f, 2, 3, 4], [5f, 6, 7, 8]], await VectorFile.ReadAsync(stream));
    }
}
