package dev.convj.codegen.emit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.convj.codegen.Schedule;
import dev.convj.graph.DType;
import dev.convj.graph.Graph;
import dev.convj.graph.GraphBuilder;
import dev.convj.graph.Node;
import dev.convj.graph.ParamInit;
import dev.convj.graph.Shape;
import dev.convj.graph.autodiff.Autodiff;
import dev.convj.graph.ops.Conv;
import dev.convj.graph.ops.ConvGeometry;
import dev.convj.graph.ops.ConvTranspose;
import dev.convj.graph.ops.Dense;
import dev.convj.graph.ops.MaxPool;
import dev.convj.graph.ops.PoolGeometry;
import dev.convj.graph.ops.Relu;
import dev.convj.graph.ops.SoftmaxCrossEntropy;
import dev.convj.graph.ops.Sum;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * One small golden source per emitter family, word for word: a strided convolution and its gradients (im2col,
 * col2im, packed im2col), a transposed convolution, max pooling with overlapping windows, a dense layer under softmax
 * cross-entropy. Shapes are chosen so that nothing depends on the vector width the host runs (the gathered GEMM,
 * whose tiles do, is left out). Update on purpose only:
 * run with {@code -Dconvj.updateGolden=true} and read the diff.
 */
class EmitterGoldenTest {

    record Case(String name, Shape input, Function<GraphBuilder, Node> body) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static ConvGeometry stride2(int pad) {
        return new ConvGeometry(List.of(2, 2), List.of(pad, pad), List.of(pad, pad), List.of(1, 1), 1);
    }

    static Stream<Case> cases() {
        return Stream.of(
                new Case("strided-conv", Shape.of(2, 2, 5, 5), b -> b.apply("y", new Relu(),
                        b.apply("conv", new Conv(stride2(1)), b.node("x"),
                                b.parameter("w", Shape.of(3, 2, 3, 3), new ParamInit.Uniform(0.3)),
                                b.parameter("b", Shape.of(3), new ParamInit.Uniform(0.3))))),
                new Case("transposed-conv", Shape.of(1, 3, 3, 3), b -> b.apply("y",
                        new ConvTranspose(stride2(0), List.of(7, 7)), b.node("x"),
                        b.parameter("w", Shape.of(3, 2, 3, 3), new ParamInit.Uniform(0.3)))),
                new Case("overlapping-max-pool", Shape.of(1, 2, 5, 5), b -> b.apply("y",
                        new MaxPool(new PoolGeometry(List.of(3, 3), List.of(2, 2), List.of(0, 0), false)), b.node("x"))),
                new Case("dense-cross-entropy", Shape.of(4, 6), b -> {
                    Node fc = b.apply("fc", new Dense(), b.node("x"),
                            b.parameter("w", Shape.of(3, 6), new ParamInit.Uniform(0.3)));
                    return b.apply("y", new SoftmaxCrossEntropy(), fc, b.input("labels", Shape.of(4), DType.I32));
                }));
    }

    private static Graph graph(Case c) {
        GraphBuilder b = new GraphBuilder();
        b.input("x", c.input(), DType.F32);
        Node y = c.body().apply(b);
        List<Integer> axes = new java.util.ArrayList<>();
        for (int a = 0; a < y.shape().rank(); a++) {
            axes.add(a);
        }
        b.output(y.shape().rank() == 0 ? y : b.apply("loss", new Sum(axes), y));
        Graph g = b.build();
        return Autodiff.gradients(g, g.outputs().get(0).name()).graph();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void theTrainingStepOfEachFamilyReadsAsItDid(Case c) throws IOException {
        // the gathered GEMM's tiles and panels follow the vector width (and it would take these small convolutions):
        // the golden sources show the column-matrix family
        String source;
        String gather = System.setProperty("convj.gather", "false");
        try {
            source = ClassEmitter.generate(graph(c), "golden", Schedule.threads(1)).source();
        } finally {
            if (gather == null) {
                System.clearProperty("convj.gather");
            } else {
                System.setProperty("convj.gather", gather);
            }
        }
        String file = "golden/emit/" + c.name() + ".java.txt";
        if (Boolean.getBoolean("convj.updateGolden")) {
            Path p = Path.of("src/test/resources", file);
            Files.createDirectories(p.getParent());
            Files.writeString(p, source, StandardCharsets.UTF_8);
            return;
        }
        try (InputStream in = EmitterGoldenTest.class.getResourceAsStream("/" + file)) {
            assertEquals(new String(in.readAllBytes(), StandardCharsets.UTF_8), source,
                    c.name() + ": generated source changed; if intended, rerun with -Dconvj.updateGolden=true");
        }
    }
}
