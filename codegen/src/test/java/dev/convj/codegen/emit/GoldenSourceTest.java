package dev.convj.codegen.emit;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
import dev.convj.graph.ops.MaxPool;
import dev.convj.graph.ops.PoolGeometry;
import dev.convj.graph.ops.Relu;
import dev.convj.graph.ops.Sum;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The generated source of a tiny training step, word for word. Update on purpose only: run with
 * {@code -Dconvj.updateGolden=true} and read the diff.
 */
class GoldenSourceTest {

    static Graph tiny() {
        GraphBuilder b = new GraphBuilder();
        Node x = b.input("x", Shape.of(1, 1, 4, 4), DType.F32);
        Node w = b.parameter("conv.weight", Shape.of(2, 1, 2, 2), new ParamInit.Uniform(0.5));
        Node bias = b.parameter("conv.bias", Shape.of(2), new ParamInit.Uniform(0.5));
        Node conv = b.apply("conv", new Conv(new ConvGeometry(List.of(1, 1), List.of(1, 1), List.of(0, 0),
                List.of(1, 1), 1)), x, w, bias);
        Node relu = b.apply("relu", new Relu(), conv);
        Node pool = b.apply("pool", new MaxPool(new PoolGeometry(List.of(2, 2), List.of(2, 2), List.of(0, 0), false)),
                relu);
        b.output(b.apply("loss", new Sum(List.of(0, 1, 2, 3)), pool));
        return Autodiff.gradients(b.build(), "loss").graph();
    }

    @Test
    void tinyTrainingStep() throws IOException {
        // the weight gradient's gathered form, which the cost model picks or not by the JIT's measured speed and
        // whose scratch depends on the vector width, is forced off: the golden source is the same on every host
        String source = ClassEmitter.generate(tiny(), "golden", Schedule.threads(1)
                .withAlgorithm("conv.weight.grad", ConvAlgorithm.IM2COL_GEMM)).source();
        if (Boolean.getBoolean("convj.updateGolden")) {
            Files.writeString(Path.of("src/test/resources/golden/tiny-training-step.java.txt"), source,
                    StandardCharsets.UTF_8);
            return;
        }
        try (InputStream in = GoldenSourceTest.class.getResourceAsStream("/golden/tiny-training-step.java.txt")) {
            assertEquals(new String(in.readAllBytes(), StandardCharsets.UTF_8), source,
                    "generated source changed; if intended, rerun with -Dconvj.updateGolden=true and review the diff");
        }
    }
}
