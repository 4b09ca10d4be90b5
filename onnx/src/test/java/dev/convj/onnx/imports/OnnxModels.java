package dev.convj.onnx.imports;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import com.google.protobuf.ByteString;
import java.util.Random;

/** Small ONNX models written by hand, for attributes PyTorch's exporter does not write (auto_pad, output_shape, …). */
final class OnnxModels {
    private final GraphProto.Builder graph = GraphProto.newBuilder().setName("hand");
    private final Random random = new Random(11);
    private int opset = 17;
    private int nodes;

    /** A model whose input "x" has an open batch axis and the given extents after it. */
    static OnnxModels input(int... dims) {
        OnnxModels m = new OnnxModels();
        m.graph.addInput(value("x", true, dims));
        return m;
    }

    OnnxModels opset(int version) {
        opset = version;
        return this;
    }

    private static ValueInfoProto value(String name, boolean batch, int... dims) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        if (batch) {
            shape.addDim(TensorShapeProto.Dimension.newBuilder().setDimParam("N"));
        }
        for (int d : dims) {
            shape.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder()
                .setTensorType(TypeProto.Tensor.newBuilder().setElemType(1).setShape(shape))).build();
    }

    /** A float weight of random values in [−0.5, 0.5), in the typed float_data field. */
    OnnxModels weight(String name, int... dims) {
        return weight(name, -0.5f, dims);
    }

    /** A float weight of random values in [offset, offset + 1). */
    OnnxModels weight(String name, float offset, int... dims) {
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(1);
        int size = 1;
        for (int d : dims) {
            t.addDims(d);
            size *= d;
        }
        for (int i = 0; i < size; i++) {
            t.addFloatData(random.nextFloat() + offset);
        }
        graph.addInitializer(t);
        return this;
    }

    /** An int64 tensor in the typed int64_data field. */
    OnnxModels ints(String name, long... values) {
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(7).addDims(values.length);
        for (long v : values) {
            t.addInt64Data(v);
        }
        graph.addInitializer(t);
        return this;
    }

    /** A node {@code op(inputs) → output} with attributes given as name, value pairs (int, float, String, int[]). */
    OnnxModels node(String op, String[] inputs, String output, Object... attributes) {
        NodeProto.Builder n = NodeProto.newBuilder().setOpType(op).setName(op.toLowerCase() + (++nodes)).addOutput(output);
        for (String i : inputs) {
            n.addInput(i);
        }
        for (int i = 0; i < attributes.length; i += 2) {
            AttributeProto.Builder a = AttributeProto.newBuilder().setName((String) attributes[i]);
            Object v = attributes[i + 1];
            if (v instanceof Integer k) {
                a.setType(AttributeProto.AttributeType.INT).setI(k);
            } else if (v instanceof Double f) {
                a.setType(AttributeProto.AttributeType.FLOAT).setF(f.floatValue());
            } else if (v instanceof String s) {
                a.setType(AttributeProto.AttributeType.STRING).setS(ByteString.copyFromUtf8(s));
            } else {
                a.setType(AttributeProto.AttributeType.INTS);
                for (int k : (int[]) v) {
                    a.addInts(k);
                }
            }
            n.addAttribute(a);
        }
        graph.addNode(n);
        return this;
    }

    static String[] in(String... names) {
        return names;
    }

    ModelProto output(String name) {
        graph.addOutput(ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder()
                .setTensorType(TypeProto.Tensor.newBuilder().setElemType(1))));
        return ModelProto.newBuilder().setIrVersion(8).setProducerName("hand")
                .addOpsetImport(OperatorSetIdProto.newBuilder().setVersion(opset)).setGraph(graph).build();
    }
}
