package dev.convj.runtime.compile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;

import dev.convj.codegen.Schedule;
import dev.convj.codegen.kernels.Gemm;
import dev.convj.codegen.plan.ConvAlgorithm;
import dev.convj.codegen.plan.ConvPass;
import dev.convj.codegen.plan.ConvSchedule;
import dev.convj.graph.autodiff.Autodiff;
import dev.convj.graph.DType;
import dev.convj.graph.Graph;
import dev.convj.graph.GraphBuilder;
import dev.convj.graph.Node;
import dev.convj.graph.Shape;
import dev.convj.graph.ops.Conv;
import dev.convj.graph.ops.ConvGeometry;
import dev.convj.graph.ops.Mul;
import dev.convj.graph.ops.Sum;
import dev.convj.runtime.Tensor;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The gathered weight gradient, forced, against the float64 interpreter on random 2-D shapes: output channels within
 * one vector (the narrow tiles, and for 5-wide kernels at unit stride and dilation across the kernel-row tiles, odd
 * kernel rows and odd output rows included) and past it (the wide tiles), strides, dilations, paddings, groups, one to
 * three threads.
 */
class GatheredWeightGradientTest {
    private static final GraphCompiler COMPILER = new GraphCompiler(null);

    @Test
    void forcedGatheredWeightGradientsMatchTheInterpreter() {
        qt().withFixedSeed(5).withExamples(40).forAll(integers().between(1, Gemm.CHANNEL_LANES + 4),
                integers().between(0, 12 * 12 - 1), integers().between(0, 255), integers().between(0, 1023))
                .checkAssert((og, shape, pads, rest) -> {
                    int h = 5 + shape % 12, w = 5 + shape / 12, k = (rest & 1) == 0 ? 5 : 3;
                    int strideH = 1 + rest / 2 % 2, strideW = 1 + rest / 4 % 2, dilation = 1 + rest / 8 % 4 / 3;
                    int groups = 1 + rest / 32 % 2, threads = 1 + rest / 64 % 3, cg = 1 + rest / 192 % 3;
                    int[] pad = {pads & 3, pads >> 2 & 3, pads >> 4 & 3, pads >> 6 & 3};
                    int reach = dilation * (k - 1);
                    if (h + pad[0] + pad[2] <= reach || w + pad[1] + pad[3] <= reach) {
                        return; // no output position
                    }
                    ConvGeometry g = new ConvGeometry(List.of(strideH, strideW), List.of(pad[0], pad[1]),
                            List.of(pad[2], pad[3]), List.of(dilation, dilation), groups);
                    GraphBuilder b = new GraphBuilder();
                    Node x = b.input("x", Shape.of(1 + rest % 3, groups * cg, h, w), DType.F32);
                    Node f = b.input("w", Shape.of(groups * og, cg, k, k), DType.F32);
                    Node y = b.apply("conv", new Conv(g), x, f);
                    Node r = b.input("r", y.shape(), DType.F32);
                    b.output(b.apply("loss", new Sum(List.of(0, 1, 2, 3)), b.apply("weighted", new Mul(), y, r)));
                    Graph step = Autodiff.gradients(b.build(), "loss", List.of("w")).graph();
                    ConvSchedule wg = GraphCompiler.plan(step, Schedule.defaults()).schedules().stream()
                            .filter(s -> s.pass() == ConvPass.WEIGHT_GRADIENT).findFirst().orElseThrow();
                    Schedule forced = Schedule.threads(threads).withAlgorithm(wg.node(), ConvAlgorithm.GATHER_GEMM);
                    assertEquals(ConvAlgorithm.GATHER_GEMM,
                            GraphCompiler.plan(step, forced).of(step.node(wg.node())).algorithm());
                    Random random = new Random(31L * shape + pads + rest);
                    Map<String, Tensor> feeds = new HashMap<>();
                    for (Node in : step.inputs()) {
                        feeds.put(in.name(), Tensor.uniform(in.shape(), -1, 1, random));
                    }
                    Differential.assertMatches(COMPILER, step, feeds, forced);
                });
    }
}
