using System.Collections;
using System.Collections.Concurrent;
using System.Reflection;
using System.Text.Json;

namespace Ipto.Api.Http.OpenApi;

/// <summary>What the OpenAPI document says of one request field: merged from every rule its validator reported.</summary>
public sealed class FieldContract
{
    public bool Required { get; set; }

    /// <summary>The field whose presence lifts the requirement (e.g. <c>tenant_name</c> unless <c>invitation_token</c>).</summary>
    public string? RequiredUnless { get; set; }

    public FieldRule Rule { get; set; } = new();
}

/// <summary>
/// The request bodies' field contracts, read from their own validators: each <see cref="IValidatable"/> body is
/// validated as an empty probe (nested bodies present and empty, lists of bodies holding one empty body) and once more
/// per top-level field with only that field set. Every rule a <see cref="ValidationErrors"/> helper reports on the way
/// becomes the field's schema keywords; a field is required when it is reported missing in every probe that leaves it
/// out, and required "unless X" when setting X alone lifts that. So no bound is ever written twice.
/// </summary>
public static class RequestContracts
{
    private static readonly ConcurrentDictionary<Assembly, IReadOnlyDictionary<Type, IReadOnlyDictionary<string, FieldContract>>> ByAssembly = new();

    /// <summary>The contracts of <paramref name="type"/>'s properties by JSON name, when it is a request body or a part of one.</summary>
    public static IReadOnlyDictionary<string, FieldContract>? Of(Type type) =>
        ByAssembly.GetOrAdd(type.Assembly, Scan).GetValueOrDefault(type);

    /// <summary>Whether <paramref name="type"/> is a request body or a part of one (its properties are optional unless a contract says required).</summary>
    public static bool IsRequestType(Type type) => Of(type) is not null;

    private static IReadOnlyDictionary<Type, IReadOnlyDictionary<string, FieldContract>> Scan(Assembly assembly)
    {
        var all = new Dictionary<Type, Dictionary<string, FieldContract>>();
        foreach (var root in assembly.GetTypes().Where(t => t is { IsClass: true, IsAbstract: false, IsGenericTypeDefinition: false } && typeof(IValidatable).IsAssignableFrom(t)))
        {
            if (root.GetConstructors().Length == 0) continue;
            Describe(root, all);
        }

        return all.ToDictionary(e => e.Key, e => (IReadOnlyDictionary<string, FieldContract>)e.Value);
    }

    private static void Describe(Type root, Dictionary<Type, Dictionary<string, FieldContract>> all)
    {
        var parameters = Constructor(root).GetParameters();
        var baseline = Observe(Probe(root, null));
        var probes = parameters.Select(p => (Field: JsonName(p.Name!), Rules: Observe(Probe(root, p.Name)))).ToArray();

        foreach (var (path, rules) in baseline.Concat(probes.SelectMany(p => p.Rules)).GroupBy(r => r.Path, r => r.Rule).Select(g => (g.Key, g.ToArray())))
        {
            if (Locate(root, path) is not { } target) continue;
            var (type, property, item) = target;
            ForType(all, type);
            var contract = all[type].TryGetValue(property, out var existing) ? existing : all[type][property] = new FieldContract();
            var merged = rules.Where(r => !r.Required).Aggregate(new FieldRule(), Merge);
            contract.Rule = Merge(contract.Rule, item ? new FieldRule { Items = merged } : merged);
            if (item) continue;

            // Required: reported missing in the empty probe, and in every probe that set another top-level field.
            var top = JsonName(path.Split('.', '[')[0]);
            if (!baseline.Any(r => r.Path == path && r.Rule.Required)) continue;
            var lifting = probes.FirstOrDefault(p => p.Field != top && !p.Rules.Any(r => r.Path == path && r.Rule.Required));
            if (lifting.Field is null) contract.Required = true;
            else contract.RequiredUnless = lifting.Field;
        }

        ForType(all, root);
        foreach (var type in Parts(root)) ForType(all, type);
    }

    private static void ForType(Dictionary<Type, Dictionary<string, FieldContract>> all, Type type)
    {
        if (!all.ContainsKey(type)) all[type] = new Dictionary<string, FieldContract>(StringComparer.Ordinal);
    }

    /// <summary>Nested bodies reachable from a root (their properties are request fields too).</summary>
    private static IEnumerable<Type> Parts(Type type) =>
        Constructor(type).GetParameters().Select(p => Unwrap(p.ParameterType)).Where(IsBody).SelectMany(t => Parts(t).Prepend(t));

    private static List<(string Path, FieldRule Rule)> Observe(object probe)
    {
        var rules = new List<(string, FieldRule)>();
        ((IValidatable)probe).Validate(new ValidationErrors((field, rule) => rules.Add((field, rule))));
        return rules;
    }

    /// <summary>The type and JSON property a field path such as <c>pricing.price_per_retrieval</c> or <c>parts[0].etag</c> names.</summary>
    private static (Type Type, string Property, bool Item)? Locate(Type root, string path)
    {
        var type = root;
        var segments = path.Split('.');
        for (var i = 0; i < segments.Length; i++)
        {
            var segment = segments[i];
            var bracket = segment.IndexOf('[', StringComparison.Ordinal);
            var name = bracket < 0 ? segment : segment[..bracket];
            var property = Constructor(type).GetParameters().FirstOrDefault(p => JsonName(p.Name!) == name);
            if (property is null) return null;
            if (i == segments.Length - 1) return (type, name, bracket >= 0);
            type = Unwrap(property.ParameterType);
        }

        return null;
    }

    private static object Probe(Type type, string? set)
    {
        var args = Constructor(type).GetParameters().Select(p => p.Name == set ? Sample(p.ParameterType) : Blank(p.ParameterType)).ToArray();
        return Constructor(type).Invoke(args);
    }

    /// <summary>An absent field: null, except that nested bodies are present (empty) so that their own rules are heard.</summary>
    private static object? Blank(Type type)
    {
        if (IsBody(type)) return Probe(type, null);
        if (ElementOf(type) is { } element && IsBody(element))
        {
            var one = Array.CreateInstance(element, 1);
            one.SetValue(Probe(element, null), 0);
            return one;
        }

        return type.IsValueType && Nullable.GetUnderlyingType(type) is null ? Activator.CreateInstance(type) : null;
    }

    /// <summary>A present field of the right type.</summary>
    private static object? Sample(Type type)
    {
        var value = Nullable.GetUnderlyingType(type) ?? type;
        if (value == typeof(string)) return "x";
        if (IsBody(value)) return Probe(value, null);
        if (ElementOf(value) is { } element) return Array.CreateInstance(element, 0);
        if (value == typeof(DateTimeOffset)) return DateTimeOffset.UtcNow.AddDays(1);
        return value.IsValueType ? Activator.CreateInstance(value) : null;
    }

    private static ConstructorInfo Constructor(Type type) => type.GetConstructors().MaxBy(c => c.GetParameters().Length)!;

    private static bool IsBody(Type type) =>
        type is { IsClass: true, IsArray: false } && type != typeof(string) && !typeof(IEnumerable).IsAssignableFrom(type)
        && type.GetConstructors().Length > 0 && type.Namespace?.StartsWith("Ipto", StringComparison.Ordinal) == true;

    private static Type? ElementOf(Type type) =>
        type.IsArray ? type.GetElementType()
        : type.IsGenericType && typeof(IEnumerable).IsAssignableFrom(type) && type.GetGenericArguments() is [var element] ? element : null;

    private static Type Unwrap(Type type)
    {
        var value = Nullable.GetUnderlyingType(type) ?? type;
        return ElementOf(value) is { } element && value != typeof(string) ? element : value;
    }

    public static string JsonName(string clrName) => JsonNamingPolicy.SnakeCaseLower.ConvertName(clrName);

    public static FieldRule Merge(FieldRule a, FieldRule b) => new()
    {
        Required = a.Required || b.Required,
        MinLength = b.MinLength ?? a.MinLength,
        MaxLength = b.MaxLength ?? a.MaxLength,
        Minimum = b.Minimum ?? a.Minimum,
        Maximum = b.Maximum ?? a.Maximum,
        ExclusiveMinimum = a.ExclusiveMinimum || b.ExclusiveMinimum,
        OneOf = b.OneOf ?? a.OneOf,
        Pattern = b.Pattern ?? a.Pattern,
        Format = b.Format ?? a.Format,
        MinItems = b.MinItems ?? a.MinItems,
        MaxItems = b.MaxItems ?? a.MaxItems,
        Items = a.Items is null ? b.Items : b.Items is null ? a.Items : Merge(a.Items, b.Items),
        Note = b.Note ?? a.Note,
    };
}
