using System.Collections.Concurrent;
using Ipto.Grains.Normalization;

namespace Ipto.Testing.Jobs;

/// <summary>
/// Extracts <c>application/x-ipto-test</c> files as plain text, after waiting on <see cref="Release"/> when a test
/// set it; counts how many extractions started, so a test can stop a normalization midway and see it resume.
/// Unlike the other test doubles its state is not keyed by id (an extractor is not told which object it reads): a
/// test that sets <see cref="Release"/> holds every extraction of this content type in the process until it clears it.
/// </summary>
public sealed class HoldingExtractor : ITextExtractor
{
    public const string ContentType = "application/x-ipto-test";
    public static volatile TaskCompletionSource? Release;
    public static readonly ConcurrentQueue<DateTimeOffset> Started = new();

    private readonly PlainTextExtractor _text = new();

    public bool Handles(string contentType, string filename) => contentType == ContentType;

    public async Task<ExtractionResult> ExtractAsync(Stream content, ChunkSink sink, CancellationToken cancellationToken)
    {
        Started.Enqueue(DateTimeOffset.UtcNow);
        if (Release is { } release) await release.Task.WaitAsync(cancellationToken);
        return await _text.ExtractAsync(content, sink, cancellationToken);
    }
}
