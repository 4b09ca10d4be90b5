package dev.convj.onnx.export;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import dev.convj.dsl.Network;
import dev.convj.graph.Graph;
import dev.convj.graph.ModelGraph;
import dev.convj.graph.Node;
import dev.convj.graph.passes.DeadCodeElimination;
import dev.convj.onnx.OnnxFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * Writes a ConvJ model's inference graph (running batch-norm statistics, no dropout) as an ONNX model: opset 17, a
 * dynamic batch dimension {@value #BATCH}, weights as float32 initializers, batch normalization as
 * BatchNormalization. The graph is translated node by node, so residual joins and concatenated branches come out as
 * Add and Concat; an op with no exact ONNX form is refused naming the node.
 */
public final class OnnxExporter {
    private OnnxExporter() {}

    public static final int OPSET = 17;
    /** ONNX's IR version 8 (ONNX 1.10 and later), which every opset-17 runtime reads. */
    public static final int IR_VERSION = 8;
    /** The symbolic name of the batch dimension of the input and output. */
    public static final String BATCH = "N";
    public static final String PRODUCER = "ConvJ";

    /**
     * The network's inference graph with these weights (parameters and running statistics, by name); batch norm
     * is kept unfolded so that it is written as BatchNormalization.
     */
    public static ModelProto export(Network network, Map<String, float[]> weights) {
        return export(batch -> network.inferenceGraph(batch, false), weights, "convj");
    }

    /**
     * A model given as batch size → inference graph (e.g. {@code network::inferenceGraph}) with {@code weights} for
     * every parameter its forward pass reads; {@code name} names the ONNX graph.
     */
    public static ModelProto export(IntFunction<ModelGraph> inference, Map<String, float[]> weights, String name) {
        ModelGraph first = inference.apply(BatchAxes.FIRST), second = inference.apply(BatchAxes.SECOND);
        Graph forward = forward(first), other = forward(second);
        BatchAxes axes = BatchAxes.compare(forward, other);
        GraphProto.Builder graph = GraphProto.newBuilder().setName(name);
        GraphTranslation translation = new GraphTranslation(forward, axes, weights, new OnnxGraphWriter(graph));
        Node input = forward.node(first.input()), output = forward.node(first.output());
        translation.declareInput(input);
        graph.addInput(valueInfo(input.name(), input, axes));
        String result = translation.translateOutput(output);
        graph.addOutput(valueInfo(result, output, axes));
        return ModelProto.newBuilder()
                .setIrVersion(IR_VERSION)
                .setProducerName(PRODUCER)
                .setProducerVersion(version())
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
                .setGraph(graph)
                .build();
    }

    /** Exports and writes atomically. */
    public static void write(Path file, Network network, Map<String, float[]> weights) throws IOException {
        OnnxFiles.write(file, export(network, weights));
    }

    /** Only what the model's output needs: the loss, its target and extra outputs are not part of a prediction. */
    private static Graph forward(ModelGraph model) {
        return DeadCodeElimination.prune(model.graph().withOutputs(List.of(model.output())), n -> false);
    }

    private static ValueInfoProto valueInfo(String name, Node node, BatchAxes axes) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        List<Integer> k = axes.of(node);
        for (int a = 0; a < node.shape().rank(); a++) {
            TensorShapeProto.Dimension.Builder d = TensorShapeProto.Dimension.newBuilder();
            if (k.get(a) == 0) {
                d.setDimValue(node.shape().dim(a));
            } else if (k.get(a) == 1) {
                d.setDimParam(BATCH);
            }
            shape.addDim(d);
        }
        TypeProto.Tensor.Builder tensor = TypeProto.Tensor.newBuilder().setElemType(OnnxGraphWriter.FLOAT)
                .setShape(shape);
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(tensor)).build();
    }

    private static String version() {
        String v = OnnxExporter.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }
}
