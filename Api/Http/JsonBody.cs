using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using Ipto.Common;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Extensions.Options;

namespace Ipto.Api.Http;

/// <summary>
/// Binds a JSON request body with the SPEC's error rules: wrong Content-Type → 415; over 1 MiB → 413; malformed JSON
/// or a non-object → 400; a field of the wrong type → 422 naming it; then the body's own rules → 422 listing all.
/// </summary>
public sealed class JsonBody<T> : IBindableFromHttpContext<JsonBody<T>>, IEndpointParameterMetadataProvider
    where T : class
{
    private JsonBody(T value) => Value = value;

    public T Value { get; }

    public static async ValueTask<JsonBody<T>?> BindAsync(HttpContext context, ParameterInfo parameter)
    {
        var contentType = context.Request.ContentType;
        if (contentType is null || !contentType.Split(';')[0].Trim().Equals("application/json", StringComparison.OrdinalIgnoreCase))
            throw new IptoException(ErrorCodes.UnsupportedMediaType, "The request body must be sent as Content-Type: application/json.");

        var bytes = await RequestBody.ReadAsync(context);
        if (!Utf8.IsValid(bytes.Span)) throw new IptoException(ErrorCodes.InvalidRequest, "The request body is not valid UTF-8.");
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(bytes, new JsonDocumentOptions { MaxDepth = 64 });
        }
        catch (JsonException e)
        {
            throw new IptoException(ErrorCodes.InvalidRequest, $"The request body is not valid JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}).");
        }

        using (document)
        {
            var options = context.RequestServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
            return new JsonBody<T>(Read(document.RootElement, options));
        }
    }

    /// <summary>
    /// The body rules after parsing, for a request body or one item of a batch (each answered as its own call would be):
    /// a non-object → 400; a field of the wrong type → 422 naming it; then the body's own rules → 422 listing all.
    /// </summary>
    public static T Read(JsonElement element, JsonSerializerOptions options)
    {
        if (element.ValueKind != JsonValueKind.Object)
            throw new IptoException(ErrorCodes.InvalidRequest, "The request body must be a JSON object.");

        T? value;
        try
        {
            value = element.Deserialize<T>(options);
        }
        catch (JsonException e)
        {
            var rule = e as JsonFieldException;
            var field = FieldPath(e.Path) + rule?.ItemSuffix;
            throw new IptoException(ErrorCodes.ValidationFailed, "The request has invalid fields.",
                [new FieldError(field, rule?.Issue ?? "has the wrong type")]);
        }

        if (value is null) throw new IptoException(ErrorCodes.InvalidRequest, "The request body must be a JSON object.");
        if (value is IValidatable validatable)
        {
            var errors = new ValidationErrors();
            validatable.Validate(errors);
            errors.ThrowIfAny();
        }

        return value;
    }

    /// <summary>Turns a JSON path such as <c>$.pricing.price_per_retrieval</c> or <c>$.scopes[1]</c> into a SPEC field path.</summary>
    public static string FieldPath(string? jsonPath)
    {
        if (string.IsNullOrEmpty(jsonPath) || jsonPath == "$") return "body";
        var path = new StringBuilder(jsonPath.StartsWith("$.", StringComparison.Ordinal) ? jsonPath[2..] : jsonPath.TrimStart('$'));
        path.Replace("['", ".").Replace("']", "");
        return path.ToString().TrimStart('.');
    }

    public static void PopulateMetadata(ParameterInfo parameter, EndpointBuilder builder) =>
        builder.Metadata.Add(new AcceptsMetadata(["application/json"], typeof(T)));
}
