package dev.convj.runtime.compile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;

import dev.convj.codegen.Schedule;
import dev.convj.codegen.kernels.Gemm;
import dev.convj.codegen.plan.ConvAlgorithm;
import dev.convj.codegen.plan.ConvCostModel;
import dev.convj.graph.DType;
import dev.convj.graph.Graph;
import dev.convj.graph.GraphBuilder;
import dev.convj.graph.Node;
import dev.convj.graph.Shape;
import dev.convj.graph.ops.Conv;
import dev.convj.graph.ops.ConvGeometry;
import dev.convj.graph.ops.Relu;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The channel-vector forward pass (output channels in the vector lanes, twelve positions of a row per tile) against
 * the float64 interpreter: random 2-D shapes with rows shorter and longer than a tile, paddings, dilations, groups,
 * bias and a fused ReLU, on one to three threads; and the cost model's choice for LeNet-5's second layer.
 */
class ChannelVectorsConvTest {

    private static Graph layer(int batch, int groups, int cg, int og, int h, int w, int k, int[] pad, int dilation,
                               boolean bias, boolean relu) {
        GraphBuilder b = new GraphBuilder();
        ConvGeometry g = new ConvGeometry(List.of(1, 1), List.of(pad[0], pad[1]), List.of(pad[2], pad[3]),
                List.of(dilation, dilation), groups);
        Node x = b.input("x", Shape.of(batch, groups * cg, h, w), DType.F32);
        Node f = b.input("w", Shape.of(groups * og, cg, k, k), DType.F32);
        Node y = bias ? b.apply("conv", new Conv(g), x, f, b.input("b", Shape.of(groups * og), DType.F32))
                : b.apply("conv", new Conv(g), x, f);
        b.output(relu ? b.apply("relu", new Relu(), y) : y);
        return b.build();
    }

    @Test
    void forcedChannelVectorsMatchTheInterpreterOnRandomShapes() {
        // og up to the vector's lanes; widths 1..30 across the 12-position tile; two bits of padding per side
        qt().withFixedSeed(21).withExamples(60).forAll(integers().between(1, Gemm.CHANNEL_LANES),
                integers().between(0, 29 * 8 - 1), integers().between(0, 255), integers().between(0, 95))
                .checkAssert((og, shape, pads, rest) -> {
                    // 5-wide kernels at dilation 1 take the kernel-row tiles (one broadcast per image value a row)
                    int w = 1 + shape % 30, h = 1 + shape / 30, k = new int[] {1, 2, 3, 5}[rest % 4];
                    int dilation = 1 + rest / 4 % 2, groups = 1 + rest / 8 % 2, threads = 1 + rest / 16 % 3;
                    boolean bias = (rest & 1) == 0, relu = rest / 48 == 1;
                    int[] pad = {pads & 3, pads >> 2 & 3, pads >> 4 & 3, pads >> 6 & 3};
                    int reach = dilation * (k - 1);
                    if (h + pad[0] + pad[2] <= reach || w + pad[1] + pad[3] <= reach) {
                        return; // no output position
                    }
                    Graph g = layer(1 + rest % 4, groups, 1 + pads % 3, og, h, w, k, pad, dilation, bias, relu);
                    Schedule s = Schedule.threads(threads).withAlgorithm("conv", ConvAlgorithm.CHANNEL_VECTORS);
                    double err = WinogradConvTest.relativeError(g, WinogradConvTest.feeds(g, 13L * shape + pads), s);
                    assertTrue(err <= 2e-6, g.node("conv").typeString() + " pads " + java.util.Arrays.toString(pad)
                            + " dilation " + dilation + ": relative error " + err);
                });
    }

    @Test
    void lenetsSecondLayerKeepsItsChannelsInTheLanesWhereTheKernelHasVectors() {
        Graph g = layer(64, 1, 6, 16, 14, 14, 5, new int[4], 1, true, true);
        ConvAlgorithm chosen = GraphCompiler.plan(g, Schedule.defaults()).of(g.node("conv")).algorithm();
        boolean vectors = dev.convj.codegen.kernels.KernelChoice.vectorBits() > 0;
        // one vector of 16 lanes (512 bits) holds its 16 channels; at 256 bits two do, as the gathered GEMM's panel,
        // and at 128 bits two panels of it (27.0 against the implicit GEMM's 20.7 GFLOP/s forward on JDK 17, AVX2,
        // -Dconvj.vectorBits=128), unless -Dconvj.gather=false
        boolean gathered = ConvCostModel.gatherMayRun();
        assertEquals(!vectors ? ConvAlgorithm.IMPLICIT_GEMM : Gemm.CHANNEL_LANES >= 16 ? ConvAlgorithm.CHANNEL_VECTORS
                : gathered ? ConvAlgorithm.GATHER_GEMM : ConvAlgorithm.IMPLICIT_GEMM, chosen);
    }
}
