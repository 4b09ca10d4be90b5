package dev.convj.onnx.export;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.AttributeProto.AttributeType;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Collects the nodes and initializers of one ONNX graph; every tensor and node name it hands out is unique. */
final class OnnxGraphWriter {
    static final int FLOAT = TensorProto.DataType.FLOAT_VALUE;
    static final int INT64 = TensorProto.DataType.INT64_VALUE;

    private final GraphProto.Builder graph;
    private final Set<String> names = new HashSet<>();

    OnnxGraphWriter(GraphProto.Builder graph) {
        this.graph = graph;
    }

    /** {@code wanted}, or {@code wanted_2}, {@code wanted_3}, … when a tensor already has that name. */
    String fresh(String wanted) {
        String name = wanted;
        for (int i = 2; !names.add(name); i++) {
            name = wanted + "_" + i;
        }
        return name;
    }

    /** Adds a node of one output; {@code output} must come from {@link #fresh}. Returns the output's name. */
    String node(String opType, String output, List<String> inputs, AttributeProto... attributes) {
        NodeProto.Builder n = NodeProto.newBuilder().setOpType(opType).setName(output).addAllInput(inputs)
                .addOutput(output);
        for (AttributeProto a : attributes) {
            n.addAttribute(a);
        }
        graph.addNode(n);
        return output;
    }

    /** A float32 initializer, its values little-endian in raw_data. */
    String floats(String wanted, List<Integer> dims, float[] values) {
        ByteBuffer bytes = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asFloatBuffer().put(values);
        return initializer(wanted, dims, FLOAT, bytes.array());
    }

    /** An int64 initializer (shapes, slice bounds), little-endian in raw_data. */
    String longs(String wanted, List<Integer> dims, long[] values) {
        ByteBuffer bytes = ByteBuffer.allocate(values.length * Long.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asLongBuffer().put(values);
        return initializer(wanted, dims, INT64, bytes.array());
    }

    /** A 1-D int64 initializer. */
    String longs(String wanted, long... values) {
        return longs(wanted, List.of(values.length), values);
    }

    /** A float32 scalar initializer, which ONNX's elementwise ops broadcast to any shape. */
    String scalar(String wanted, double value) {
        return floats(wanted, List.of(), new float[] {(float) value});
    }

    private String initializer(String wanted, List<Integer> dims, int type, byte[] raw) {
        String name = fresh(wanted);
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(type)
                .setRawData(ByteString.copyFrom(raw));
        dims.forEach(d -> t.addDims(d));
        graph.addInitializer(t);
        return name;
    }

    static AttributeProto ints(String name, List<? extends Number> values) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeType.INTS)
                .addAllInts(values.stream().map(Number::longValue).toList()).build();
    }

    static AttributeProto text(String name, String value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeType.STRING)
                .setS(ByteString.copyFromUtf8(value)).build();
    }

    static AttributeProto integer(String name, long value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeType.INT).setI(value).build();
    }

    static AttributeProto real(String name, double value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeType.FLOAT).setF((float) value).build();
    }
}
