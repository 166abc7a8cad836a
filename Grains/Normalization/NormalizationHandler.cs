using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Ipto.Common;
using Ipto.Grains.Jobs;
using Ipto.Grains.ObjectStore;
using Ipto.Jobs;
using Ipto.Objects;

namespace Ipto.Grains.Normalization;

/// <summary>
/// The <c>normalization</c> job of one object: streams its blob once to compute the SHA-256 and extract text, writes
/// the chunks as a derived JSONL file next to the blob, then records the outcome on the object (ready, or failed with
/// the reason). Re-running it after a crash rewrites the same derived file, so there is never a duplicate.
/// </summary>
public sealed class NormalizationHandler(IGrainFactory grains, IObjectStore store, IEnumerable<ITextExtractor> extractors) : IJobHandler
{
    public const string JobType = "normalization";

    public string Type => JobType;

    public async Task<string?> RunAsync(JobExecution execution, CancellationToken cancellationToken)
    {
        var obj = grains.GetGrain<IObjectGrain>(execution.Input);
        var snapshot = await obj.GetInternal() ?? throw new JobFailedException("The object does not exist.");
        if (snapshot.Status != ObjectStatuses.Processing) return Result(snapshot.Status);
        var blobKey = ObjectKeys.ObjectBlob(snapshot.DatasetId, snapshot.ObjectId);

        var extractor = extractors.FirstOrDefault(e => e.Handles(snapshot.ContentType, snapshot.Filename));
        var chunkFile = Path.GetTempFileName();
        try
        {
            // Reading and parsing run on the thread pool, not on the job grain's scheduler.
            var outcome = await Task.Run(() => ExtractToFileAsync(blobKey, extractor, chunkFile, cancellationToken), cancellationToken);
            if (outcome.MalformedReason is not null)
            {
                await obj.Fail($"malformed_file: {outcome.MalformedReason}");
                return Result(ObjectStatuses.Failed);
            }

            var (checksum, extracted) = (outcome.Checksum, outcome.Extracted!);
            if (snapshot.ChecksumSha256 is { } declared && !string.Equals(declared, checksum, StringComparison.OrdinalIgnoreCase))
            {
                await obj.Fail($"checksum_mismatch: declared {declared}, stored {checksum}");
                return Result(ObjectStatuses.Failed);
            }

            var chunksKey = ObjectKeys.ObjectChunks(snapshot.DatasetId, snapshot.ObjectId);
            await using (var chunks = File.OpenRead(chunkFile))
                await store.WriteAsync(chunksKey, chunks, "application/x-ndjson", cancellationToken);
            try
            {
                await obj.RecordExtraction(checksum, new Extraction(extracted.TextChars, extracted.Pages, extracted.Chunks, null, null, extracted.Metadata));
            }
            catch (IptoException e) when (e.Code == ErrorCodes.InvalidStateTransition)
            {
                // Rejected, expired or deleted while it was being normalized: its files were purged, so is this one.
                await store.DeleteAsync(chunksKey, cancellationToken);
                return Result((await obj.GetInternal())?.Status ?? ObjectStatuses.Deleted);
            }

            return Result(ObjectStatuses.Ready);
        }
        finally
        {
            File.Delete(chunkFile);
        }
    }

    private sealed record Outcome(string Checksum, ExtractionResult? Extracted, string? MalformedReason);

    private async Task<Outcome> ExtractToFileAsync(string blobKey, ITextExtractor? extractor, string chunkFile, CancellationToken cancellationToken)
    {
        await using var blob = await store.OpenReadAsync(blobKey, cancellationToken);
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        await using var hashing = new HashingReadStream(blob, sha);
        await using var output = new StreamWriter(chunkFile, append: false, new UTF8Encoding(false));
        ExtractionResult extracted;
        try
        {
            extracted = extractor is null ? ExtractionResult.NoText : await extractor.ExtractAsync(hashing, new ChunkSink(output), cancellationToken);
        }
        catch (MalformedFileException malformed)
        {
            return new Outcome("", null, malformed.Message);
        }
        catch (Exception e) when (!IsTransient(e, cancellationToken))
        {
            // A parser that trips over a file must not leave the job retrying forever: the file is what is wrong.
            return new Outcome("", null, $"the file could not be parsed ({e.GetType().Name})");
        }

        await hashing.DrainAsync(cancellationToken);
        return new Outcome(Convert.ToHexStringLower(sha.GetHashAndReset()), extracted, null);
    }

    private static bool IsTransient(Exception e, CancellationToken cancellationToken) =>
        cancellationToken.IsCancellationRequested || e is OperationCanceledException or IOException or HttpRequestException
            or Amazon.Runtime.AmazonServiceException or ObjectNotFoundException;

    private static string Result(string status) => JsonSerializer.Serialize(new Dictionary<string, string> { ["object_status"] = status });
}

/// <summary>Writes an object's chunks in the chunk file format (<see cref="Search.ChunkFile"/>).</summary>
public sealed class ChunkSink(TextWriter output)
{
    public int Count { get; private set; }

    public async Task WriteAsync(TextChunk chunk)
    {
        var l = chunk.Locator;
        var line = Search.ChunkFile.Line(chunk.Text, new Ipto.Search.CitationLocator(l.Page, l.Row, l.CharStart, l.CharEnd, l.ChunkIndex));
        await output.WriteLineAsync(line);
        Count++;
    }
}

public sealed record ExtractionResult(long TextChars, int? Pages, int Chunks, IReadOnlyDictionary<string, string>? Metadata = null)
{
    public static readonly ExtractionResult NoText = new(0, null, 0);
}

/// <summary>Extracts text of some content types and writes its chunks; it reads the stream once, front to back.</summary>
public interface ITextExtractor
{
    bool Handles(string contentType, string filename);

    Task<ExtractionResult> ExtractAsync(Stream content, ChunkSink sink, CancellationToken cancellationToken);
}

/// <summary>A file the extractor cannot read; the object ends <c>failed</c> with this reason.</summary>
public sealed class MalformedFileException(string message) : Exception(message);

/// <summary>Hashes everything read through it; <see cref="DrainAsync"/> reads what the extractor left.</summary>
public sealed class HashingReadStream(Stream inner, IncrementalHash hash) : Stream
{
    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count)
    {
        var read = inner.Read(buffer, offset, count);
        hash.AppendData(buffer, offset, read);
        return read;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await inner.ReadAsync(buffer, cancellationToken);
        hash.AppendData(buffer.Span[..read]);
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public async Task DrainAsync(CancellationToken cancellationToken)
    {
        var buffer = new byte[81920];
        while (await ReadAsync(buffer, cancellationToken) > 0)
        {
        }
    }

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
