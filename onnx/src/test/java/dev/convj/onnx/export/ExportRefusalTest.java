package dev.convj.onnx.export;

import static dev.convj.dsl.LayerOption.pad;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.convj.dsl.Network;
import dev.convj.graph.DType;
import dev.convj.graph.GraphBuilder;
import dev.convj.graph.ModelGraph;
import dev.convj.graph.Node;
import dev.convj.graph.ParamInit;
import dev.convj.graph.Shape;
import dev.convj.graph.ops.ConvGeometry;
import dev.convj.graph.ops.Relu;
import dev.convj.graph.ops.Sigmoid;
import dev.convj.graph.ops.Slice;
import dev.convj.graph.ops.Step;
import dev.convj.graph.ops.TiledConv;
import dev.convj.graph.ops.TiledGeometry;
import dev.convj.onnx.OnnxFormatException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;

/** What export refuses, each with one message naming the node, its op and shape, and what to change. */
class ExportRefusalTest {

    private static String refusal(IntFunction<ModelGraph> model, Map<String, float[]> weights) {
        return assertThrows(OnnxFormatException.class, () -> OnnxExporter.export(model, weights, "g")).getMessage();
    }

    @Test
    void aParameterWithoutWeightsOrWithTheWrongNumberIsNamed() {
        Network net = Network.input(1, 6, 6).conv2d(2, 3, pad(1)).flatten().dense(3);
        assertEquals("cannot export node conv1.weight (parameter) f32[2,1,3,3] to ONNX: no weights for this parameter;"
                        + " pass a value for every parameter of the inference graph (weights, biases and batch-norm "
                        + "running statistics)",
                assertThrows(OnnxFormatException.class, () -> OnnxExporter.export(net, Map.of())).getMessage());
        Map<String, float[]> weights = new HashMap<>(ExportCases.weights(net, 1));
        weights.put("fc1.bias", new float[4]);
        assertEquals("cannot export node fc1.bias (parameter) f32[3] to ONNX: its weights hold 4 values but its shape "
                + "[3] needs 3", assertThrows(OnnxFormatException.class, () -> OnnxExporter.export(net, weights))
                .getMessage());
    }

    @Test
    void aTrainingGraphIsRefusedForItsDropoutStepInput() {
        Network net = Network.input(4).dense(3).dropout(0.5).dense(2).softmaxCrossEntropy();
        assertEquals("cannot export node step (input) i32[] to ONNX: the forward pass reads input step i32[] besides "
                + "the images x; export the model's inference graph (network::inferenceGraph), in which dropout reads no "
                + "step counter", refusal(net::graph, ExportCases.weights(net, 1)));
    }

    @Test
    void aSliceOfTheBatchAxisCannotKeepTheBatchDynamic() {
        IntFunction<ModelGraph> model = batch -> {
            GraphBuilder b = new GraphBuilder();
            Node x = b.input("x", Shape.of(batch, 4), DType.F32);
            Node first = b.apply("first", new Slice(0, 0, 1), x);
            b.output(first);
            return new ModelGraph(b.build(), batch, "x", "first", Optional.empty(), Optional.empty());
        };
        assertEquals("cannot export node first (slice) f32[1,4] to ONNX: it slices axis 0, which grows with the batch;"
                + " a dynamic batch needs the slice on a fixed axis", refusal(model, Map.of()));
    }

    @Test
    void gradientOpsAndGroupedTiledConvolutionsHaveNoExportAndSaySo() {
        IntFunction<ModelGraph> summed = batch -> {
            GraphBuilder b = new GraphBuilder();
            Node x = b.input("x", Shape.of(batch, 4), DType.F32);
            Node s = b.apply("positive", new Step(), x);
            b.output(s);
            return new ModelGraph(b.build(), batch, "x", "positive", Optional.empty(), Optional.empty());
        };
        assertEquals("cannot export node positive (step) f32[2,4] to ONNX: the op step belongs to training and "
                + "gradient graphs, which ONNX export does not cover; export the model's inference graph",
                refusal(summed, Map.of()));
        TiledGeometry grouped = new TiledGeometry(new ConvGeometry(List.of(1, 1), List.of(0, 0), List.of(0, 0),
                List.of(1, 1), 2), List.of(2, 2));
        IntFunction<ModelGraph> tiled = batch -> {
            GraphBuilder b = new GraphBuilder();
            Node x = b.input("x", Shape.of(batch, 4, 5, 5), DType.F32);
            Node w = b.parameter("w", grouped.weightShape(2, 2, List.of(2, 2)), new ParamInit.Constant(1));
            Node y = b.apply("tiled", new TiledConv(grouped), x, w);
            b.output(y);
            return new ModelGraph(b.build(), batch, "x", "tiled", Optional.empty(), Optional.empty());
        };
        assertEquals("cannot export node tiled (tiled_conv2d) f32[2,2,4,4] to ONNX: a tiled convolution with 2 channel "
                + "groups has no exact ONNX composition here; use groups = 1", refusal(tiled, Map.of("w", new float[32])));
    }

    @Test
    void aGraphWhoseStructureChangesWithTheBatchIsRefused() {
        IntFunction<ModelGraph> model = batch -> {
            GraphBuilder b = new GraphBuilder();
            Node x = b.input("x", Shape.of(batch, 4), DType.F32);
            Node y = batch == 2 ? b.apply("y", new Relu(), x) : b.apply("y", new Sigmoid(), x);
            b.output(y);
            return new ModelGraph(b.build(), batch, "x", "y", Optional.empty(), Optional.empty());
        };
        assertEquals("cannot export with a dynamic batch: node 1 is y (relu) f32[2,4] for batch 2 but y (sigmoid) "
                + "f32[3,4] for batch 3", refusal(model, Map.of()));
    }
}
