package dev.convj.codegen.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convj.codegen.Schedule;
import dev.convj.codegen.kernels.Gemm;
import dev.convj.codegen.kernels.WinogradF4;
import dev.convj.graph.DType;
import dev.convj.graph.Graph;
import dev.convj.graph.GraphBuilder;
import dev.convj.graph.Node;
import dev.convj.graph.ParamInit;
import dev.convj.graph.Shape;
import dev.convj.graph.autodiff.Autodiff;
import dev.convj.graph.ops.Conv;
import dev.convj.graph.ops.ConvGeometry;
import dev.convj.graph.ops.Sum;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The cost model's choices at the reference models' shapes, and the plan a graph gets. */
class ConvCostModelTest {

    /** The gathered GEMM a candidate, as by default. */
    private static final boolean GATHER = true;

    private static ConvGeometry geometry(int stride, int pad) {
        return new ConvGeometry(List.of(stride, stride), List.of(pad, pad), List.of(pad, pad), List.of(1, 1), 1);
    }

    private static ConvDims dims(int c, int n, int o, int k, int stride, int pad) {
        int out = (n + 2 * pad - k) / stride + 1;
        return ConvDims.of(geometry(stride, pad), Shape.of(64, c, n, n), Shape.of(o, c, k, k), Shape.of(64, o, out, out));
    }

    @Test
    void forwardPassesRunImplicitAtStrideOneIm2colOtherwiseAndOneByOneInPlace() {
        assertEquals(ConvAlgorithm.IMPLICIT_GEMM, ConvCostModel.choose(ConvPass.FORWARD, dims(1, 28, 6, 5, 1, 2)));
        assertEquals(ConvAlgorithm.IM2COL_GEMM, ConvCostModel.choose(ConvPass.FORWARD, dims(3, 28, 8, 3, 2, 1)));
        assertEquals(ConvAlgorithm.POINTWISE, ConvCostModel.choose(ConvPass.FORWARD, dims(16, 7, 8, 1, 1, 0)));
    }

    @Test
    void inputGradientsRunBandedWhenThePaddingRowsAreFewAndPerTapWhenTheyAreMany() {
        // LeNet-5's conv2: 14×14 from 10×10 through 5×5; the banded GEMM does 1.54× the per-tap work
        assertEquals(ConvAlgorithm.BANDED_IMPLICIT_GEMM,
                ConvCostModel.choose(ConvPass.INPUT_GRADIENT, dims(6, 14, 16, 5, 1, 0)));
        // a 7×7 kernel over a 9×9 image: mostly padding even banded
        assertEquals(ConvAlgorithm.TAPWISE_GEMM,
                ConvCostModel.choose(ConvPass.INPUT_GRADIENT, dims(3, 9, 4, 7, 1, 0)));
        assertEquals(ConvAlgorithm.COL2IM_GEMM,
                ConvCostModel.choose(ConvPass.INPUT_GRADIENT, dims(3, 28, 8, 3, 2, 1)));
    }

    @Test
    void weightGradientsFollowTheChannelsAndTheGrid() {
        // channels filling the kernel's columns: one GEMM per tap
        assertEquals(ConvAlgorithm.TAPWISE_GEMM,
                ConvCostModel.choose(ConvPass.WEIGHT_GRADIENT, dims(Gemm.NR, 14, 64, 3, 1, 1)));
        // LeNet-5's conv1: one channel over a 28×32 padded grid ≥ MIN_DOT_LENGTH
        assertEquals(ConvAlgorithm.DOT_PRODUCTS,
                ConvCostModel.choose(ConvPass.WEIGHT_GRADIENT, dims(1, 28, 6, 5, 1, 2)));
        // LeNet-5's conv2: 6 channels, a grid of 140 < MIN_DOT_LENGTH
        assertEquals(ConvAlgorithm.IM2COL_GEMM,
                ConvCostModel.choose(ConvPass.WEIGHT_GRADIENT, dims(6, 14, 16, 5, 1, 0)));
        assertEquals(ConvAlgorithm.IM2COL_GEMM,
                ConvCostModel.choose(ConvPass.WEIGHT_GRADIENT, dims(3, 28, 8, 3, 2, 1)));
    }

    /**
     * The gathered GEMM takes over where its whole tiles waste far less than the direct algorithm's: LeNet-5's conv2
     * (16 output channels, one panel at 256 bits), whose implicit GEMM computes a 14-wide grid for 10 outputs a row
     * and whose weight gradient copies a column matrix (measured 1.3× and 1.7× faster, one thread, AVX2 Zen 3); not
     * 64→64 5×5, where it does 0.89 of the implicit GEMM's work and ran no faster; not 6 output channels in 16 lanes.
     */
    @Test
    void theGatheredGemmIsChosenWhereItsTilesWasteLittle() {
        double kernel = 90;
        ConvDims conv2 = dims(6, 14, 16, 5, 1, 0);
        // the gathered GEMM a candidate (by default), and not (-Dconvj.gather=false)
        boolean fast = true, slow = false;
        if (Gemm.NR == 16) { // 256-bit vectors: the 16 channels fill one panel exactly
            assertEquals(0.71, (double) ConvCostModel.gatherTileMultiplyAdds(ConvPass.FORWARD, conv2)
                    / ConvCostModel.tileMultiplyAdds(ConvPass.FORWARD, ConvAlgorithm.IMPLICIT_GEMM, conv2), 0.01);
            assertEquals(ConvAlgorithm.GATHER_GEMM, ConvCostModel.choose(ConvPass.FORWARD, conv2, 64, kernel, fast));
            assertEquals(ConvAlgorithm.GATHER_GEMM,
                    ConvCostModel.choose(ConvPass.WEIGHT_GRADIENT, conv2, 64, kernel, fast));
            // where the gathered GEMM is no candidate, the direct forms
            assertEquals(ConvAlgorithm.IMPLICIT_GEMM, ConvCostModel.choose(ConvPass.FORWARD, conv2, 64, kernel, slow));
            assertEquals(ConvAlgorithm.IM2COL_GEMM,
                    ConvCostModel.choose(ConvPass.WEIGHT_GRADIENT, conv2, 64, kernel, slow));
        }
        if (Gemm.NR == 32) { // 512-bit vectors: the 16 channels fill one vector. The weight gradient's kernel-row
            // tiles (two rows of five taps, priced as the wide tile) beat im2col's column matrix at any kernel speed
            // (measured on an AVX-512 Zen 5: 0.29 ms a step on one thread against 0.56); without them (-Dconvj.
            // kernelRows=false) the narrow tiles (twelve taps by one vector) win while a multiply-add of theirs costs
            // under the break-even below in the wide tile's: at the Zen 5's 191.9 GFLOP/s, where the copy is worth
            // twice the multiply-adds, that is over the 1.7 it measured, at the reference speed under it
            boolean kernelRows = ConvCostModel.gathersKernelRows(ConvPass.WEIGHT_GRADIENT, conv2);
            assertEquals(kernelRows ? 150 * 16 * 100 : 156 * 16 * 100,
                    ConvCostModel.gatherTileMultiplyAdds(ConvPass.WEIGHT_GRADIENT, conv2));
            double narrowCost = ConvCostModel.narrowTileCost();
            assertTrue(narrowCost >= 1 && narrowCost <= 4, "narrow tile cost " + narrowCost);
            assertEquals((kernelRows ? 1 : narrowCost) * (kernelRows ? 150 : 156) * 16 * 100,
                    ConvCostModel.gatherTileCost(ConvPass.WEIGHT_GRADIENT, conv2), 1);
            double breakEvenFast = ConvCostModel.GATHER_MARGIN * ConvCostModel.tileMultiplyAdds(
                    ConvPass.WEIGHT_GRADIENT, ConvAlgorithm.IM2COL_GEMM, conv2, 191.9) / (156 * 16 * 100);
            double breakEvenReference = ConvCostModel.GATHER_MARGIN * ConvCostModel.tileMultiplyAdds(
                    ConvPass.WEIGHT_GRADIENT, ConvAlgorithm.IM2COL_GEMM, conv2,
                    ConvCostModel.REFERENCE_KERNEL_GFLOPS) / (156 * 16 * 100);
            assertTrue(breakEvenFast > 1.7 && breakEvenReference < 1.7, breakEvenFast + " " + breakEvenReference);
            assertEquals(kernelRows || narrowCost < breakEvenReference ? ConvAlgorithm.GATHER_GEMM
                    : ConvAlgorithm.IM2COL_GEMM, ConvCostModel.choose(
                    ConvPass.WEIGHT_GRADIENT, conv2, 64, ConvCostModel.REFERENCE_KERNEL_GFLOPS, fast));
            assertEquals(kernelRows || narrowCost < breakEvenFast ? ConvAlgorithm.GATHER_GEMM
                    : ConvAlgorithm.IM2COL_GEMM, ConvCostModel.choose(ConvPass.WEIGHT_GRADIENT, conv2, 64, 191.9,
                    fast));
            // the forward pass keeps its channel vectors: twelve positions a tile, priced 1×
            assertEquals(ConvAlgorithm.CHANNEL_VECTORS, ConvCostModel.choose(ConvPass.FORWARD, conv2, 64, 191.9,
                    fast));
        }
        if (Gemm.NR >= 16) {
            assertEquals(ConvAlgorithm.IMPLICIT_GEMM, ConvCostModel.choose(ConvPass.FORWARD, dims(64, 14, 64, 5, 1, 2),
                    64, kernel, fast));
            assertNotEquals(ConvAlgorithm.GATHER_GEMM,
                    ConvCostModel.choose(ConvPass.FORWARD, dims(1, 28, 6, 5, 1, 2), 64, kernel, fast));
            assertNotEquals(ConvAlgorithm.GATHER_GEMM,
                    ConvCostModel.choose(ConvPass.WEIGHT_GRADIENT, dims(1, 28, 6, 5, 1, 2), 64, kernel, fast));
        }
        // any stride; not a crop
        assertTrue(ConvCostModel.fitting(ConvPass.FORWARD, dims(3, 28, 8, 3, 2, 1))
                .contains(ConvAlgorithm.GATHER_GEMM));
        assertTrue(ConvCostModel.fitting(ConvPass.WEIGHT_GRADIENT, dims(3, 28, 8, 3, 2, 1))
                .contains(ConvAlgorithm.GATHER_GEMM));
        assertTrue(!ConvCostModel.fitting(ConvPass.INPUT_GRADIENT, dims(3, 28, 8, 3, 1, 1))
                .contains(ConvAlgorithm.GATHER_GEMM));
    }

    /**
     * At the kernel speed measured on the AVX-512 host (105.8 GFLOP/s) the model picks what per-layer CPU times showed
     * fastest there: for the small VGG's 32- and 64-channel 3×3 layers, forward and input gradient, F(4×4, 3×3) where
     * its vector transforms run (Temurin 25, batch 64: 116 / 117 / 126 GFLOP/s for 32→32 at 28×28, 32→64 and 64→64 at
     * 14×14, against F(2×2)'s 92 / 91 / 105), else F(2×2), which beat the scalar F(4×4) everywhere; and direct for its
     * one-channel first layer (transforms with nothing to save) and for the small ResNet's 16-channel layers (direct
     * 75–79 GFLOP/s, F(4×4) 51–63, F(2×2) 43–48).
     */
    @Test
    void winogradIsChosenWhereItMeasuredFasterAtTheKernelsSpeed() {
        double kernel = 105.8;
        ConvAlgorithm fast = WinogradF4.bits() > 0 ? ConvAlgorithm.WINOGRAD_4X4_3X3 : ConvAlgorithm.WINOGRAD_2X2_3X3;
        for (ConvPass pass : new ConvPass[] {ConvPass.FORWARD, ConvPass.INPUT_GRADIENT}) {
            assertEquals(fast, ConvCostModel.choose(pass, dims(64, 14, 64, 3, 1, 1), 64, kernel, GATHER));
            assertEquals(fast, ConvCostModel.choose(pass, dims(32, 14, 64, 3, 1, 1), 64, kernel, GATHER));
            assertEquals(fast, ConvCostModel.choose(pass, dims(32, 28, 32, 3, 1, 1), 64, kernel, GATHER));
            assertEquals(ConvCostModel.choose(pass, dims(1, 28, 32, 3, 1, 1)),
                    ConvCostModel.choose(pass, dims(1, 28, 32, 3, 1, 1), 64, kernel, GATHER));
            // the small ResNet's 16-channel 28×28 layers: the Winograd GEMMs' 16-deep sums lose to direct
            assertEquals(ConvCostModel.choose(pass, dims(16, 28, 16, 3, 1, 1)),
                    ConvCostModel.choose(pass, dims(16, 28, 16, 3, 1, 1), 64, kernel, GATHER));
        }
        // not at stride 2 (there the gathered GEMM: 53 GFLOP/s against im2col's 43 on Temurin 25, AVX2 Zen 3), nor for
        // 5×5 kernels
        assertEquals(ConvAlgorithm.GATHER_GEMM, ConvCostModel.choose(ConvPass.FORWARD, dims(64, 28, 64, 3, 2, 1), 64,
                kernel, true));
        assertEquals(ConvAlgorithm.IM2COL_GEMM, ConvCostModel.choose(ConvPass.FORWARD, dims(64, 28, 64, 3, 2, 1), 64,
                kernel, false));
        assertEquals(ConvAlgorithm.IMPLICIT_GEMM, ConvCostModel.choose(ConvPass.FORWARD, dims(64, 14, 64, 5, 1, 2), 64,
                kernel, GATHER));
        // weight gradients, where F(4×4)'s vector transforms over channels run (one thread, batch 64, AVX2 Zen 3):
        // F(4×4) for the 64-channel 14×14 layer (104 GFLOP/s against F(2×2)'s 83 and the tap-wise GEMMs' 64) and
        // for the 32-channel 28×28 one (77 against 65 and 50). Without them, F(2×2) for the first (its emitted
        // F(4×4) transforms ran at 59) and the tap-wise GEMMs for the second.
        boolean vectors = WinogradF4.channelVectorsFit(32, 64);
        assertEquals(vectors ? ConvAlgorithm.WINOGRAD_4X4_3X3 : ConvAlgorithm.WINOGRAD_2X2_3X3,
                ConvCostModel.choose(ConvPass.WEIGHT_GRADIENT, dims(64, 14, 64, 3, 1, 1), 64, kernel, GATHER));
        assertEquals(vectors ? ConvAlgorithm.WINOGRAD_4X4_3X3 : ConvAlgorithm.TAPWISE_GEMM,
                ConvCostModel.choose(ConvPass.WEIGHT_GRADIENT, dims(32, 28, 32, 3, 1, 1), 64, kernel, GATHER));
        // a kernel ten times slower makes the saved multiplications worth more: Winograd wins more often
        assertEquals(ConvAlgorithm.WINOGRAD_4X4_3X3, ConvCostModel.choose(ConvPass.FORWARD, dims(64, 14, 64, 3, 1, 1), 64,
                kernel / 10, GATHER));
    }

    /**
     * On an AVX-512 Zen 5 (JDK 17, 512-bit tile at 191.9 GFLOP/s, one thread, batch 64) `convj bench --only conv
     * --all-algorithms` measured the small VGG's weight gradients at 150 GFLOP/s with F(4×4) against 119–130 direct
     * (32→32 at 28×28) and 211 against 142–150 (64→64 at 14×14), and F(4×4) took its 32→64 forward pass from 4.97 to
     * 3.65 ms. With the vector transforms priced at the reference host's speed the model chose the tap-wise GEMMs and
     * the implicit GEMM there; scaled with the kernel's speed it chooses F(4×4), and still direct for the one-channel
     * and 16-channel layers.
     */
    @Test
    void vectorTransformsArePricedAtTheMeasuredKernelsSpeed() {
        double kernel = 191.9;
        ConvDims vgg64 = dims(64, 14, 64, 3, 1, 1);
        ConvDims f = ConvCostModel.winogradForward(ConvPass.FORWARD, vgg64).orElseThrow();
        WinogradTransform f4 = ConvAlgorithm.WINOGRAD_4X4_3X3.winograd();
        if (WinogradF4.bits() > 0) {
            // everything but the filter transform (scalar code, run once per call) takes half the time on a host
            // whose kernel runs twice as fast
            WinogradLayout l = WinogradLayout.of(f, f4, 64);
            double filter = l.filterTransformOps(64, 64) / (ConvCostModel.FILTER_TRANSFORM_GOPS * 1e9);
            assertEquals(ConvCostModel.winogradSeconds(f, f4, 64, kernel, false) - filter,
                    (ConvCostModel.winogradSeconds(f, f4, 64, kernel / 2, false) - filter) / 2, 1e-9);
            assertEquals(ConvAlgorithm.WINOGRAD_4X4_3X3,
                    ConvCostModel.choose(ConvPass.FORWARD, dims(32, 14, 64, 3, 1, 1), 64, kernel, GATHER));
        }
        // F(2×2)'s figures are not scaled: calibrated on scalar transforms
        WinogradTransform f2 = ConvAlgorithm.WINOGRAD_2X2_3X3.winograd();
        WinogradLayout l2 = WinogradLayout.of(f, f2, 64);
        assertEquals(l2.transformOps(64, 64, 64) / (ConvCostModel.F2_TRANSFORM_GOPS * 1e9),
                ConvCostModel.winogradSeconds(f, f2, 64, 1e12, false)
                        - l2.filterTransformOps(64, 64) / (ConvCostModel.FILTER_TRANSFORM_GOPS * 1e9), 1e-6);
        boolean vectors = WinogradF4.channelVectorsFit(32, 64);
        if (vectors) {
            assertEquals(ConvAlgorithm.WINOGRAD_4X4_3X3,
                    ConvCostModel.choose(ConvPass.WEIGHT_GRADIENT, vgg64, 64, kernel, GATHER));
            assertEquals(ConvAlgorithm.WINOGRAD_4X4_3X3,
                    ConvCostModel.choose(ConvPass.WEIGHT_GRADIENT, dims(32, 28, 32, 3, 1, 1), 64, kernel, GATHER));
        }
        for (ConvPass pass : ConvPass.values()) {
            assertEquals(ConvCostModel.choose(pass, dims(1, 28, 32, 3, 1, 1)),
                    ConvCostModel.choose(pass, dims(1, 28, 32, 3, 1, 1), 64, kernel, false), pass.name());
        }
    }

    @Test
    void winogradFitsOnlyStrideOneThreeByThreeWithoutGroupsAndIsForcedAndPrinted() {
        assertTrue(ConvCostModel.fitting(ConvPass.FORWARD, dims(8, 9, 8, 3, 1, 2))
                .contains(ConvAlgorithm.WINOGRAD_4X4_3X3));
        assertTrue(ConvCostModel.fitting(ConvPass.INPUT_GRADIENT, dims(8, 9, 8, 3, 1, 0))
                .contains(ConvAlgorithm.WINOGRAD_2X2_3X3));
        assertTrue(!ConvCostModel.fitting(ConvPass.FORWARD, dims(8, 9, 8, 3, 2, 1))
                .contains(ConvAlgorithm.WINOGRAD_2X2_3X3));
        assertTrue(ConvCostModel.fitting(ConvPass.WEIGHT_GRADIENT, dims(8, 9, 8, 3, 1, 1))
                .contains(ConvAlgorithm.WINOGRAD_2X2_3X3));
        assertTrue(ConvCostModel.fitting(ConvPass.WEIGHT_GRADIENT, dims(8, 9, 8, 3, 1, 1))
                .contains(ConvAlgorithm.WINOGRAD_4X4_3X3));
        GraphBuilder b = new GraphBuilder();
        Node x = b.input("x", Shape.of(4, 8, 14, 14), DType.F32);
        Node w = b.parameter("w", Shape.of(8, 8, 3, 3), new ParamInit.Uniform(0.2));
        b.output(b.apply("conv", new Conv(geometry(1, 1)), x, w));
        ConvPlan plan = ConvPlan.of(b.build(), Schedule.threads(1).withAlgorithm("conv", ConvAlgorithm.WINOGRAD_4X4_3X3));
        ConvSchedule s = plan.schedules().get(0);
        // 36 GEMMs of 8×8 over 4 images of 4×4 tiles: 64 columns, two panels of any width up to 32
        assertEquals(36L * 8 * 8 * ((64 + Gemm.NR - 1) / Gemm.NR * Gemm.NR), s.multiplyAdds());
        assertTrue(plan.toText().contains("winograd-4x4-3x3 (forced)"), plan.toText());
        assertEquals("", plan.algorithmKey());
    }

    @Test
    void aGraphsPlanNamesEveryConvolutionNodeWithItsTileThreadsAndWork() {
        GraphBuilder b = new GraphBuilder();
        Node x = b.input("x", Shape.of(4, 1, 28, 28), DType.F32);
        Node w = b.parameter("w", Shape.of(6, 1, 5, 5), new ParamInit.Uniform(0.2));
        Node y = b.apply("conv1", new Conv(geometry(1, 2)), x, w);
        b.output(b.apply("loss", new Sum(List.of(0, 1, 2, 3)), y));
        Graph g = Autodiff.gradients(b.build(), "loss", List.of("x", "w")).graph();
        ConvPlan plan = ConvPlan.of(g, Schedule.threads(2));
        assertEquals(3, plan.schedules().size(), plan.toText());
        ConvSchedule forward = plan.of(g.node("conv1"));
        assertEquals(ConvAlgorithm.IMPLICIT_GEMM, forward.algorithm());
        assertEquals(Gemm.MR, forward.tileRows());
        assertEquals(Gemm.NR, forward.tileColumns());
        assertEquals(2, forward.threads());
        // 4 images × 6 filters × 25 taps × 28 rows of the padded grid, each 28 + 2 positions (rows share zeros)
        assertEquals(4L * 6 * 25 * 28 * 30, forward.multiplyAdds());
        assertTrue(plan.toText().lines().anyMatch(l -> l.startsWith("conv1 ") && l.contains("forward")
                && l.contains("implicit-gemm") && l.contains("threads 2")), plan.toText());
        ConvPlan forced = ConvPlan.of(g, Schedule.threads(1).withAlgorithm("conv1", ConvAlgorithm.IM2COL_GEMM));
        assertEquals(ConvAlgorithm.IM2COL_GEMM, forced.of(g.node("conv1")).algorithm());
        assertTrue(forced.toText().contains("im2col-gemm (forced)"), forced.toText());
        assertEquals(4L * 6 * 25 * 28 * 28, forced.of(g.node("conv1")).multiplyAdds());
    }
}
