using System.Text.Json;
using System.Text.Json.Serialization;
using Ipto.Datasets;
using Ipto.Objects;

namespace Ipto.Grains.Storage;

/// <summary>
/// The one serializer of read-model documents (the <c>document</c> columns): source-generated, with the property names
/// as declared (PascalCase), which is how every stored document was written.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.General)]
[JsonSerializable(typeof(DatasetSnapshot))]
[JsonSerializable(typeof(CatalogEntry))]
[JsonSerializable(typeof(ObjectSnapshot))]
[JsonSerializable(typeof(string[]))]
[JsonSerializable(typeof(Ipto.Search.CitationLocator))]
[JsonSerializable(typeof(Ipto.Billing.Outcome))]
[JsonSerializable(typeof(Ipto.Webhooks.WebhookEndpointView))]
public sealed partial class ProjectionJson : JsonSerializerContext;
