using Google.Protobuf;
using Onnx;

namespace Ipto.Grains.Search;

/// <summary>
/// Dynamic int8 quantisation of an ONNX model's weight matrices, as ONNX Runtime's Python tooling does it (which the
/// C# API lacks): every <c>MatMul</c> whose second input is a constant float matrix becomes
/// <c>DynamicQuantizeLinear</c> (the activations, per tensor, uint8, at run time) → <c>MatMulInteger</c> against the
/// weights quantised once, per output column, symmetric int8 → <c>Cast</c> → a multiply by both scales. Matrix
/// products between activations (attention scores) stay float.
/// </summary>
internal static class DynamicInt8
{
    public static byte[] Quantize(byte[] model)
    {
        var proto = ModelProto.Parser.ParseFrom(model);
        var graph = proto.Graph;
        var initializers = graph.Initializer.ToDictionary(i => i.Name, StringComparer.Ordinal);
        var nodes = graph.Node.ToList();
        var replaced = new HashSet<string>(StringComparer.Ordinal);
        graph.Node.Clear();
        foreach (var node in nodes)
        {
            if (node.OpType == "MatMul" && initializers.TryGetValue(node.Input[1], out var weights) && weights.Dims.Count == 2
                && weights.DataType == (int)TensorProto.Types.DataType.Float)
            {
                Replace(graph, node, weights);
                replaced.Add(weights.Name);
            }
            else
            {
                graph.Node.Add(node);
            }
        }

        foreach (var name in replaced.Where(name => !graph.Node.Any(n => n.Input.Contains(name)))) graph.Initializer.Remove(initializers[name]);
        return proto.ToByteArray();
    }

    private static void Replace(GraphProto graph, NodeProto matMul, TensorProto weights)
    {
        var (rows, columns) = ((int)weights.Dims[0], (int)weights.Dims[1]);
        var values = weights.FloatData.Count > 0 ? weights.FloatData.ToArray() : Floats(weights.RawData.Span);
        var scales = new float[columns];
        var quantised = new byte[rows * columns];
        for (var c = 0; c < columns; c++)
        {
            var max = 0f;
            for (var r = 0; r < rows; r++) max = Math.Max(max, Math.Abs(values[r * columns + c]));
            scales[c] = max == 0 ? 1 : max / 127f;
        }

        for (var r = 0; r < rows; r++)
        for (var c = 0; c < columns; c++)
            quantised[r * columns + c] = unchecked((byte)(sbyte)Math.Clamp(MathF.Round(values[r * columns + c] / scales[c]), -127, 127));

        var prefix = matMul.Output[0] + "/int8";
        var matrix = new TensorProto { Name = prefix + "/B", DataType = (int)TensorProto.Types.DataType.Int8, RawData = ByteString.CopyFrom(quantised) };
        matrix.Dims.Add([rows, columns]);
        var scale = new TensorProto { Name = prefix + "/B_scale", DataType = (int)TensorProto.Types.DataType.Float };
        scale.Dims.Add(columns);
        scale.FloatData.Add(scales);
        var zero = new TensorProto { Name = prefix + "/B_zero", DataType = (int)TensorProto.Types.DataType.Int8, RawData = ByteString.CopyFrom(0) };
        graph.Initializer.Add([matrix, scale, zero]);

        graph.Node.Add(Node("DynamicQuantizeLinear", prefix, [matMul.Input[0]], [prefix + "/A", prefix + "/A_scale", prefix + "/A_zero"]));
        graph.Node.Add(Node("MatMulInteger", prefix, [prefix + "/A", matrix.Name, prefix + "/A_zero", zero.Name], [prefix + "/Y"]));
        var cast = Node("Cast", prefix, [prefix + "/Y"], [prefix + "/Y_float"]);
        cast.Attribute.Add(new AttributeProto { Name = "to", Type = AttributeProto.Types.AttributeType.Int, I = (long)TensorProto.Types.DataType.Float });
        graph.Node.Add(cast);
        graph.Node.Add(Node("Mul", prefix + "/scale", [prefix + "/A_scale", scale.Name], [prefix + "/scale"]));
        graph.Node.Add(Node("Mul", prefix, [prefix + "/Y_float", prefix + "/scale"], [matMul.Output[0]]));
    }

    private static NodeProto Node(string op, string prefix, string[] inputs, string[] outputs)
    {
        var node = new NodeProto { OpType = op, Name = $"{prefix}/{op}" };
        node.Input.Add(inputs);
        node.Output.Add(outputs);
        return node;
    }

    private static float[] Floats(ReadOnlySpan<byte> raw) => System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(raw).ToArray();
}
