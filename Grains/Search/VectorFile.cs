using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Ipto.Grains.Search;

/// <summary>
/// The embeddings of an object's chunks, stored next to its chunk file so the index can always be rebuilt:
/// a magic, the dimension count and the vector count (little-endian int32), then one float32 vector per chunk in
/// chunk order.
/// </summary>
public static class VectorFile
{
    private static ReadOnlySpan<byte> Magic => "IPTOVEC1"u8;

    public static long SizeOf(int dimensions, int count) => 16 + (long)count * dimensions * sizeof(float);

    /// <summary>Starts a file on a seekable stream; vectors are appended one by one and the count is set on dispose.</summary>
    public static async Task<VectorFileWriter> OpenWriterAsync(Stream output, int dimensions, CancellationToken cancellationToken = default)
    {
        var header = new byte[16];
        Magic.CopyTo(header);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(8), dimensions);
        await output.WriteAsync(header, cancellationToken);
        return new VectorFileWriter(output, dimensions);
    }

    public static async Task<float[][]> ReadAsync(Stream input, CancellationToken cancellationToken = default)
    {
        var header = new byte[16];
        await input.ReadExactlyAsync(header, cancellationToken);
        if (!header.AsSpan(0, 8).SequenceEqual(Magic)) throw new InvalidDataException("Not a vector file.");
        var dimensions = BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(8));
        var count = BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(12));
        if (dimensions is <= 0 or > 4096 || count < 0) throw new InvalidDataException("A vector file header is out of range.");
        var vectors = new float[count][];
        var buffer = new byte[dimensions * sizeof(float)];
        for (var i = 0; i < count; i++)
        {
            await input.ReadExactlyAsync(buffer, cancellationToken);
            vectors[i] = FromBytes(buffer);
        }

        return vectors;
    }

    public static byte[] ToBytes(float[] vector)
    {
        var bytes = new byte[vector.Length * sizeof(float)];
        if (BitConverter.IsLittleEndian) MemoryMarshal.AsBytes(vector.AsSpan()).CopyTo(bytes);
        else for (var i = 0; i < vector.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * 4), vector[i]);
        return bytes;
    }

    public static float[] FromBytes(ReadOnlySpan<byte> bytes)
    {
        var vector = new float[bytes.Length / sizeof(float)];
        for (var i = 0; i < vector.Length; i++) vector[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes[(i * 4)..]);
        return vector;
    }
}

public sealed class VectorFileWriter(Stream output, int dimensions) : IAsyncDisposable
{
    private int _count;

    public async Task AppendAsync(float[] vector, CancellationToken cancellationToken = default)
    {
        if (vector.Length != dimensions) throw new ArgumentException("Every vector must have the declared dimensions.", nameof(vector));
        await output.WriteAsync(VectorFile.ToBytes(vector), cancellationToken);
        _count++;
    }

    public async ValueTask DisposeAsync()
    {
        var count = new byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(count, _count);
        output.Position = 12;
        await output.WriteAsync(count);
        output.Position = output.Length;
        await output.FlushAsync();
    }
}
