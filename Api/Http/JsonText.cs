using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Ipto.Api.Http;

/// <summary>A field of a JSON body that parsed but breaks a rule every body shares; <see cref="Issue"/> is its <c>details[].issue</c>.</summary>
public sealed class JsonFieldException(string issue, string? itemSuffix = null) : JsonException(issue)
{
    public string Issue { get; } = issue;

    /// <summary>An index such as <c>[2]</c> when a list converter found the fault in one item.</summary>
    public string? ItemSuffix { get; } = itemSuffix;
}

/// <summary>
/// Text rules for every string of every request body, applied while it is read: no NUL, no other C0 control except
/// tab, line feed and carriage return, no DEL or C1 control, no unpaired surrogate. Name-like fields (<c>name</c>,
/// <c>*_name</c>, <c>filename</c>, <c>tags</c>) are single-line: no control character at all.
/// </summary>
public static class JsonText
{
    public static bool IsFreeText(string value) => !value.Any(c => char.IsControl(c) && c is not ('\t' or '\n' or '\r'));

    public static bool IsSingleLine(string value) => !value.Any(char.IsControl);

    public static bool IsNameLike(string jsonName) =>
        jsonName is "name" or "filename" or "tags" || jsonName.EndsWith("_name", StringComparison.Ordinal);

    /// <summary>Gives name-like string and string-list properties the single-line rule.</summary>
    public static void SingleLineNames(JsonTypeInfo type)
    {
        if (type.Kind != JsonTypeInfoKind.Object) return;
        foreach (var property in type.Properties)
        {
            if (!IsNameLike(property.Name)) continue;
            if (property.PropertyType == typeof(string)) property.CustomConverter = SingleLineStringConverter.Instance;
            else if (property.PropertyType == typeof(IReadOnlyList<string>)) property.CustomConverter = new SingleLineListConverter<IReadOnlyList<string>>(l => l);
            else if (property.PropertyType == typeof(string[])) property.CustomConverter = new SingleLineListConverter<string[]>(l => [.. l]);
            else if (property.PropertyType == typeof(List<string>)) property.CustomConverter = new SingleLineListConverter<List<string>>(l => l);
        }
    }

    internal static string Read(ref Utf8JsonReader reader, bool singleLine)
    {
        if (reader.TokenType != JsonTokenType.String) throw new JsonFieldException("has the wrong type");
        string value;
        try
        {
            value = reader.GetString()!;
        }
        catch (InvalidOperationException)
        {
            throw new JsonFieldException("must be valid Unicode text");
        }

        if (!IsWellFormed(value)) throw new JsonFieldException("must be valid Unicode text");
        if (singleLine ? !IsSingleLine(value) : !IsFreeText(value)) throw new JsonFieldException("must not contain control characters");
        return value;
    }

    private static bool IsWellFormed(string value)
    {
        for (var i = 0; i < value.Length; i++)
        {
            if (char.IsHighSurrogate(value[i]) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1])) i++;
            else if (char.IsSurrogate(value[i])) return false;
        }

        return true;
    }
}

/// <summary>Every string read from a request body passes <see cref="JsonText.IsFreeText"/>.</summary>
public sealed class FreeTextStringConverter : JsonConverter<string>
{
    public override string Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => JsonText.Read(ref reader, singleLine: false);

    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);
}

internal sealed class SingleLineStringConverter : JsonConverter<string>
{
    public static readonly SingleLineStringConverter Instance = new();

    public override string Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => JsonText.Read(ref reader, singleLine: true);

    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);
}

/// <summary>A list of name-like strings (<c>tags</c>); a null item stays null for the body's own rules to report.</summary>
internal sealed class SingleLineListConverter<TList>(Func<List<string>, TList> create) : JsonConverter<TList>
    where TList : IEnumerable<string>
{
    public override TList Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartArray) throw new JsonFieldException("has the wrong type");
        var items = new List<string>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            try
            {
                items.Add(reader.TokenType == JsonTokenType.Null ? null! : JsonText.Read(ref reader, singleLine: true));
            }
            catch (JsonFieldException e)
            {
                throw new JsonFieldException(e.Issue, $"[{items.Count.ToString(System.Globalization.CultureInfo.InvariantCulture)}]");
            }
        }

        return create(items);
    }

    public override void Write(Utf8JsonWriter writer, TList value, JsonSerializerOptions options)
    {
        writer.WriteStartArray();
        foreach (var item in value) writer.WriteStringValue(item);
        writer.WriteEndArray();
    }
}
