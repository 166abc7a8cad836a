using MetadataExtractor;

namespace Ipto.Grains.Normalization;

/// <summary>
/// Images, audio and video (MetadataExtractor): no text, but dimensions, EXIF and container metadata, up to
/// <see cref="MaxTags"/> tags with values of at most <see cref="MaxValueLength"/> characters.
/// </summary>
public sealed class MediaMetadataExtractor : ITextExtractor
{
    public const int MaxTags = 64;
    public const int MaxValueLength = 200;

    public bool Handles(string contentType, string filename)
    {
        var media = contentType.Split(';')[0].Trim().ToLowerInvariant();
        return media.StartsWith("image/", StringComparison.Ordinal) || media.StartsWith("audio/", StringComparison.Ordinal)
               || media.StartsWith("video/", StringComparison.Ordinal);
    }

    public async Task<ExtractionResult> ExtractAsync(Stream content, ChunkSink sink, CancellationToken cancellationToken)
    {
        // The readers seek; the blob stream does not, so it is spooled to disk first.
        await using var spool = await TempSpool.CreateAsync(content, cancellationToken);
        IReadOnlyList<MetadataExtractor.Directory> directories;
        try
        {
            await using var file = File.OpenRead(spool.Path);
            directories = ImageMetadataReader.ReadMetadata(file);
        }
        catch (ImageProcessingException)
        {
            // Stored and reviewable, like any unknown type; there is just nothing to read from it.
            return ExtractionResult.NoText with { Metadata = new Dictionary<string, string>() };
        }
        catch (IOException e)
        {
            throw new MalformedFileException($"the media file cannot be read ({e.GetType().Name})");
        }

        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var tag in directories.SelectMany(d => d.Tags))
        {
            if (metadata.Count >= MaxTags) break;
            var value = tag.Description;
            if (string.IsNullOrWhiteSpace(value)) continue;
            metadata.TryAdd($"{tag.DirectoryName}/{tag.Name}", value.Length > MaxValueLength ? value[..MaxValueLength] : value);
        }

        return ExtractionResult.NoText with { Metadata = metadata };
    }
}
