using System.Text.Json;
using Ipto.Grains.Storage;
using Ipto.Objects;

namespace Ipto.Domain.Tests.Storage;

/// <summary>Read-model documents written before the source-generated context read back the same, and are written the same.</summary>
public sealed class ProjectionJsonTests
{
    private static readonly JsonSerializerOptions Reflection = new(JsonSerializerDefaults.General);

    [Fact]
    public void AnObjectDocumentRoundTripsIdenticallyThroughBothSerializers()
    {
        var at = new DateTimeOffset(2026, 12, 2, 3, 4, 5, 678, TimeSpan.Zero);
        var obj = new ObjectSnapshot("obj_1", "dset_1", "tnt_1", "a.txt", "text/plain", 42, "ab", "ready", "staged", at, null, null,
            new Extraction(120, 1, 3, "en", null, new Dictionary<string, string> { ["title"] = "Lading" }), null, at, at, null);
        var stored = JsonSerializer.Serialize(obj, Reflection);

        var read = JsonSerializer.Deserialize(stored, ProjectionJson.Default.ObjectSnapshot)!;

        Assert.Equal(stored, JsonSerializer.Serialize(read, ProjectionJson.Default.ObjectSnapshot));
        Assert.Equal(obj with { Extraction = read.Extraction }, read);
        Assert.Equal(obj.Extraction! with { Metadata = read.Extraction!.Metadata }, read.Extraction);
        Assert.Equal(obj.Extraction.Metadata, read.Extraction.Metadata);
    }
}
