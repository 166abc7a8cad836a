namespace Ipto.Grains.Uploads;

public sealed record UploadPart(int PartNumber, long Offset, long Size);

/// <summary>How a file of a given size is uploaded: one PUT, or parts of <see cref="PartSize"/> (the last one smaller).</summary>
public sealed record UploadPlan(bool IsMultipart, long PartSize, IReadOnlyList<UploadPart> Parts);

/// <summary>
/// Chooses single or multipart upload (SPEC §5): single PUT up to the threshold; above it, parts of at least the
/// minimum part size, grown in whole MiB until the file fits in the maximum number of parts.
/// </summary>
public sealed class UploadPlanner(long multipartThreshold, long minPartSize, int maxParts, long maxObjectSize)
{
    private const long MiB = 1024 * 1024;

    public static UploadPlanner Default => new(64 * MiB, 8 * MiB, 10_000, 50L * 1024 * MiB);

    public long MaxObjectSize { get; } = maxObjectSize;

    /// <summary>Null when the size is out of range (not positive, or above the maximum object size).</summary>
    public UploadPlan? Plan(long sizeBytes)
    {
        if (sizeBytes <= 0 || sizeBytes > MaxObjectSize) return null;
        if (sizeBytes <= multipartThreshold) return new UploadPlan(false, sizeBytes, [new UploadPart(1, 0, sizeBytes)]);

        var partSize = Math.Max(minPartSize, (sizeBytes + maxParts - 1) / maxParts);
        partSize = (partSize + MiB - 1) / MiB * MiB;
        var count = (int)((sizeBytes + partSize - 1) / partSize);
        var parts = new UploadPart[count];
        for (var i = 0; i < count; i++)
        {
            var offset = i * partSize;
            parts[i] = new UploadPart(i + 1, offset, Math.Min(partSize, sizeBytes - offset));
        }

        return new UploadPlan(true, partSize, parts);
    }
}
