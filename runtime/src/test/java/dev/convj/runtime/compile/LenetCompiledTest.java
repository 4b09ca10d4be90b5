package dev.convj.runtime.compile;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convj.codegen.Schedule;
import dev.convj.codegen.plan.ConvAlgorithm;
import dev.convj.graph.DType;
import dev.convj.graph.Graph;
import dev.convj.graph.GraphBuilder;
import dev.convj.graph.Node;
import dev.convj.graph.ParamInit;
import dev.convj.graph.Shape;
import dev.convj.graph.autodiff.Autodiff;
import dev.convj.graph.ops.Conv;
import dev.convj.graph.ops.ConvGeometry;
import dev.convj.graph.ops.Dense;
import dev.convj.graph.ops.MaxPool;
import dev.convj.graph.ops.PoolGeometry;
import dev.convj.graph.ops.Relu;
import dev.convj.graph.ops.Reshape;
import dev.convj.graph.ops.SoftmaxCrossEntropy;
import dev.convj.runtime.Initializer;
import dev.convj.runtime.Tensor;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** LeNet-5's training step as generated code equals the float64 interpreter, forward and every gradient. */
class LenetCompiledTest {
    static final GraphCompiler COMPILER = new GraphCompiler(null);

    /** LeNet-5 built on the graph API directly (the runtime module does not see the DSL). */
    static Graph lenet(int batch) {
        GraphBuilder b = new GraphBuilder();
        Node x = b.input("x", Shape.of(batch, 1, 28, 28), DType.F32);
        Node h = conv(b, "conv1", x, 6, 1, 2);
        h = b.apply("relu1", new Relu(), h);
        h = b.apply("pool1", new MaxPool(new PoolGeometry(List.of(2, 2), List.of(2, 2), List.of(0, 0), false)), h);
        h = conv(b, "conv2", h, 16, 6, 0);
        h = b.apply("relu2", new Relu(), h);
        h = b.apply("pool2", new MaxPool(new PoolGeometry(List.of(2, 2), List.of(2, 2), List.of(0, 0), false)), h);
        h = b.apply("flatten", new Reshape(Shape.of(batch, 400)), h);
        h = dense(b, "fc1", h, 120);
        h = b.apply("relu3", new Relu(), h);
        h = dense(b, "fc2", h, 84);
        h = b.apply("relu4", new Relu(), h);
        h = dense(b, "fc3", h, 10);
        Node labels = b.input("labels", Shape.of(batch), DType.I32);
        b.output(h);
        b.output(b.apply("loss", new SoftmaxCrossEntropy(), h, labels));
        return b.build();
    }

    private static Node conv(GraphBuilder b, String name, Node x, int filters, int channels, int pad) {
        Node w = b.parameter(name + ".weight", Shape.of(filters, channels, 5, 5), new ParamInit.Uniform(0.3));
        Node bias = b.parameter(name + ".bias", Shape.of(filters), new ParamInit.Uniform(0.1));
        return b.apply(name, new Conv(new ConvGeometry(List.of(1, 1), List.of(pad, pad), List.of(pad, pad),
                List.of(1, 1), 1)), x, w, bias);
    }

    private static Node dense(GraphBuilder b, String name, Node x, int units) {
        Node w = b.parameter(name + ".weight", Shape.of(units, x.shape().dim(1)), new ParamInit.Uniform(0.1));
        Node bias = b.parameter(name + ".bias", Shape.of(units), new ParamInit.Uniform(0.1));
        return b.apply(name, new Dense(), x, w, bias);
    }

    static Map<String, Tensor> feeds(Graph g, long seed) {
        Map<String, Tensor> feeds = new HashMap<>(Initializer.initialize(g, seed));
        Random r = new Random(seed);
        Node x = g.node("x"), labels = g.node("labels");
        feeds.put("x", Tensor.uniform(x.shape(), 0, 1, r));
        feeds.put("labels", Tensor.generate(labels.shape(), i -> r.nextInt(10)));
        return feeds;
    }

    @Test
    void forwardMatchesTheInterpreter() {
        Graph g = lenet(3);
        Differential.assertMatches(COMPILER, g, feeds(g, 1), 1);
    }

    @Test
    void trainingStepMatchesTheInterpreterOnOneAndTwoThreads() {
        Graph g = Autodiff.gradients(lenet(5), "loss").graph();
        Differential.assertMatches(COMPILER, g, feeds(g, 2), 1);
        Differential.assertMatches(COMPILER, g, feeds(g, 2), 2);
        Differential.assertMatches(COMPILER, g, feeds(g, 2), 3);
    }

    /**
     * conv1's bias gradient summed in its weight gradient's dot products (a row of ones beside the 25 taps), on 1-3
     * threads, against the interpreter; and the unfused forms (another weight-gradient algorithm) still agree.
     */
    @Test
    void theBiasGradientSummedInTheWeightGradientsDotProductsMatches() {
        Graph g = Autodiff.gradients(lenet(4), "loss").graph();
        for (int threads = 1; threads <= 3; threads++) {
            Schedule dots = Schedule.threads(threads).withAlgorithm("conv1.weight.grad", ConvAlgorithm.DOT_PRODUCTS);
            String source = COMPILER.generate(g, dots).source();
            assertTrue(source.contains("ones at col[") && !source.matches("(?s).*void n\\d+_conv1_bias_grad\\(.*"), "conv1.bias.grad is not fused");
            Differential.assertMatches(COMPILER, g, feeds(g, 3), dots);
            Schedule gathered = Schedule.threads(threads).withAlgorithm("conv1.weight.grad", ConvAlgorithm.GATHER_GEMM);
            assertTrue(COMPILER.generate(g, gathered).source().matches("(?s).*void n\\d+_conv1_bias_grad\\(.*"));
            Differential.assertMatches(COMPILER, g, feeds(g, 3), gathered);
        }
    }
}
