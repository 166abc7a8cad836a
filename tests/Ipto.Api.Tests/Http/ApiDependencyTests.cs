using System.Reflection;
using System.Reflection.Emit;
using Ipto.Api.Http;
using Ipto.Grains.Storage;

namespace Ipto.Api.Tests.Http;

/// <summary>
/// The Api talks to the cluster through <c>Grains.Abstractions</c> only, as internal tools do: outside the hosting
/// wiring (<c>Program</c> and the <c>Ipto.Api.Hosting</c> namespace) no type of the Api uses a type of the grains'
/// implementation assembly, in a signature, a field, a local or an instruction of a method body.
/// </summary>
public sealed class ApiDependencyTests
{
    private static readonly Assembly Implementation = typeof(KeysetPager).Assembly;

    [Fact]
    public void OutsideTheHostingWiringTheApiUsesOnlyTheGrainContracts()
    {
        var offenders = typeof(ApiResults).Assembly.GetTypes()
            .Where(t => !IsHostingWiring(t))
            .SelectMany(t => ImplementationUse.Of(t, Implementation).Select(use => $"{t.FullName}: {use}"))
            .Distinct().Order(StringComparer.Ordinal).ToArray();

        Assert.True(offenders.Length == 0, "The Api uses grain implementation types:\n" + string.Join('\n', offenders));
    }

    [Fact]
    public void TheCheckFindsImplementationTypesWhereverAnEndpointWouldUseThem()
    {
        Assert.Contains(ImplementationUse.Of(typeof(HandlerTakingAnImplementationType), Implementation), u => u.Contains(nameof(KeysetPager), StringComparison.Ordinal));
        Assert.Contains(ImplementationUse.Of(typeof(HandlerCallingAnImplementationType), Implementation), u => u.Contains(nameof(CursorCodec), StringComparison.Ordinal));
        Assert.Contains(ImplementationUse.Of(typeof(HandlerWithALambda), Implementation), u => u.Contains(nameof(CursorCodec), StringComparison.Ordinal));
        Assert.Empty(ImplementationUse.Of(typeof(HandlerUsingContractsOnly), Implementation));
    }

    [Fact]
    public void HostingWiringIsProgramAndTheHostingNamespaceOnly()
    {
        Assert.True(IsHostingWiring(typeof(Program)));
        Assert.True(IsHostingWiring(typeof(Ipto.Api.Hosting.LocalObjectStoreEndpoints)));
        Assert.False(IsHostingWiring(typeof(Ipto.Api.Endpoints.DatasetsEndpoints)));
        Assert.False(IsHostingWiring(typeof(ApiResults)));
    }

    private static bool IsHostingWiring(Type type)
    {
        var outer = type;
        while (outer.DeclaringType is not null) outer = outer.DeclaringType;
        return outer == typeof(Program) || outer.Namespace is { } ns && (ns == "Ipto.Api.Hosting" || ns.StartsWith("Ipto.Api.Hosting.", StringComparison.Ordinal));
    }

    private static class HandlerTakingAnImplementationType
    {
        public static Task<int> ListAsync(KeysetPager pager) => Task.FromResult(pager.GetHashCode());
    }

    private static class HandlerCallingAnImplementationType
    {
        public static string Encode() => new CursorCodec(new byte[32]).Encode("scope", "position");
    }

    private static class HandlerWithALambda
    {
        public static Func<string> Encoder() => () => new CursorCodec(new byte[32]).Encode("scope", "position");
    }

    private static class HandlerUsingContractsOnly
    {
        public static Common.PageRequest Parse(string? limit) => Common.PageRequest.Parse(limit, null);
    }
}

/// <summary>Every use of a type of one assembly by a type (and its nested, compiler-generated types), read from metadata and IL.</summary>
internal static class ImplementationUse
{
    private const BindingFlags Everything = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes).GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!).ToDictionary(o => o.Value);

    public static IReadOnlyList<string> Of(Type type, Assembly implementation)
    {
        var uses = new List<string>();
        Visit(type, implementation, uses);
        return uses;
    }

    private static void Visit(Type type, Assembly implementation, List<string> uses)
    {
        void Check(Type? used, string where)
        {
            foreach (var t in Expand(used))
                if (t.Assembly == implementation) uses.Add($"{where} uses {t.FullName}");
        }

        Check(type.BaseType, "base type");
        foreach (var i in type.GetInterfaces()) Check(i, "interface");
        foreach (var field in type.GetFields(Everything)) Check(field.FieldType, $"field {field.Name}");
        foreach (var method in type.GetMethods(Everything).Cast<MethodBase>().Concat(type.GetConstructors(Everything)))
        {
            var where = $"{method.Name}";
            if (method is MethodInfo info) Check(info.ReturnType, where);
            foreach (var parameter in method.GetParameters()) Check(parameter.ParameterType, where);
            var body = method.GetMethodBody();
            if (body is null) continue;
            foreach (var local in body.LocalVariables) Check(local.LocalType, where);
            foreach (var member in MembersIn(method, body.GetILAsByteArray() ?? []))
            {
                Check(member as Type ?? member.DeclaringType, where);
                if (member is MethodInfo called)
                {
                    Check(called.ReturnType, where);
                    foreach (var argument in called.IsGenericMethod ? called.GetGenericArguments() : []) Check(argument, where);
                }
                else if (member is FieldInfo field) Check(field.FieldType, where);
            }
        }

        foreach (var nested in type.GetNestedTypes(Everything)) Visit(nested, implementation, uses);
    }

    /// <summary>The type with its element and generic argument types.</summary>
    private static IEnumerable<Type> Expand(Type? type)
    {
        if (type is null) yield break;
        if (type.HasElementType)
        {
            foreach (var t in Expand(type.GetElementType())) yield return t;
            yield break;
        }

        yield return type;
        if (type.IsGenericType && !type.IsGenericTypeDefinition)
            foreach (var argument in type.GetGenericArguments())
            foreach (var t in Expand(argument))
                yield return t;
    }

    /// <summary>The members and types the instructions of a method body refer to by token.</summary>
    private static IEnumerable<MemberInfo> MembersIn(MethodBase method, byte[] il)
    {
        var module = method.Module;
        var typeArguments = method.DeclaringType is { IsGenericType: true } d ? d.GetGenericArguments() : null;
        var methodArguments = method.IsGenericMethod ? method.GetGenericArguments() : null;
        for (var offset = 0; offset < il.Length;)
        {
            short value = il[offset++];
            if (value == 0xFE) value = (short)(0xFE00 | il[offset++]);
            var opCode = OpCodesByValue[value];
            switch (opCode.OperandType)
            {
                case OperandType.InlineMethod or OperandType.InlineField or OperandType.InlineType or OperandType.InlineTok:
                    var token = BitConverter.ToInt32(il, offset);
                    yield return module.ResolveMember(token, typeArguments, methodArguments)!;
                    offset += 4;
                    break;
                case OperandType.InlineSwitch:
                    offset += 4 + 4 * BitConverter.ToInt32(il, offset);
                    break;
                default:
                    offset += OperandSize(opCode.OperandType);
                    break;
            }
        }
    }

    private static int OperandSize(OperandType type) => type switch
    {
        OperandType.InlineNone => 0,
        OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
        OperandType.InlineVar => 2,
        OperandType.InlineI8 or OperandType.InlineR => 8,
        _ => 4,
    };
}
