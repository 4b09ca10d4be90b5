package dev.convj.codegen.emit;

import static dev.convj.codegen.emit.ConvColumns.*;

import com.palantir.javapoet.CodeBlock;
import dev.convj.codegen.kernels.Gemm;
import dev.convj.codegen.plan.ConvAlgorithm;
import dev.convj.codegen.plan.ConvCostModel;
import dev.convj.codegen.plan.ConvDims;
import dev.convj.codegen.plan.ConvPlan;
import dev.convj.codegen.plan.KernelBand;
import dev.convj.codegen.plan.PaddedImage;
import dev.convj.graph.Node;
import dev.convj.graph.ops.ConvGeometry;
import dev.convj.graph.ops.ConvWeightGrad;

/**
 * A convolution's weight gradient, dw = correlate(x, dy), as its {@link ConvAlgorithm} says, one partial sum per
 * thread added in thread order: one GEMM per kernel tap over a channels-last copy of the image read in place
 * (dwT[t][o, c] += dy[n, o] over the padded grid · the image shifted by tap t); dot products of dy spread over the
 * padded grid with the padded image shifted by each tap; or dy[n] · im2col(x[n])ᵀ with colᵀ written in the GEMM's
 * packed layout.
 */
final class ConvWeightGradEmitter {
    private ConvWeightGradEmitter() {}

    /**
     * Whether weight gradient {@code wg}'s code can also sum its dy per channel (the bias gradient) in its loop: the
     * dot products' form, with one group, as one more row of B, all ones (the last block of rows has room for it
     * when the taps are not a multiple of its four, as LeNet-5's 25 are not).
     */
    static boolean sumsBias(ConvPlan convPlan, Node wg) {
        return wg.op() instanceof ConvWeightGrad op && op.geometry().groups() == 1
                && convPlan.of(wg).algorithm() == ConvAlgorithm.DOT_PRODUCTS;
    }

    static void emit(EmitContext ctx, Node n, ConvGeometry g) {
        Node x = ctx.input(n, 0), dy = ctx.input(n, 1);
        ConvDims d = ConvDims.of(g, x.shape(), n.shape(), dy.shape());
        ConvAlgorithm algorithm = ctx.convPlan.of(n).algorithm();
        String name = ctx.methodName(n);
        int size = n.shape().size();
        ctx.needPartial(size);
        if (algorithm.winograd() != null) {
            ctx.loopMethod(n, name, "team.size()", true, WinogradConvEmitter.weightGradient(ctx, n, name, d,
                    algorithm.winograd()));
            ctx.run.beginControlFlow("if (team.size() > 1)")
                    .addStatement("sumPartials($L, $L)", ctx.buf(n), size)
                    .endControlFlow();
            return;
        }
        if (algorithm == ConvAlgorithm.GATHER_GEMM) {
            ctx.loopMethod(n, name, "team.size()", true, GatherConvEmitter.weightGradient(ctx, n, name, d));
            ctx.run.beginControlFlow("if (team.size() > 1)")
                    .addStatement("sumPartials($L, $L)", ctx.buf(n), size)
                    .endControlFlow();
            return;
        }
        boolean tapwise = algorithm == ConvAlgorithm.TAPWISE_GEMM;
        boolean implicit = algorithm == ConvAlgorithm.DOT_PRODUCTS;
        boolean pointwise = algorithm == ConvAlgorithm.POINTWISE;
        Node bias = ctx.plan.biasSumOf(n) < 0 ? null : ctx.graph.node(ctx.plan.biasSumOf(n));
        if (bias != null) {
            ctx.needPartial(size + d.o());
        }
        CodeBlock.Builder b = CodeBlock.builder();
        ctx.partialAccumulator(b, n);
        // the tap-wise form, and the dot products summing the bias too, assign every element of acc once, after
        // their images
        if (!tapwise && bias == null) {
            b.addStatement("$T.fill(acc, 0, $L, 0f)", java.util.Arrays.class, size);
        }
        if (tapwise) {
            tapwiseWeightGradPrologue(ctx, name, d, b);
        } else if (implicit) {
            implicitWeightGradPrologue(ctx, name, d, b, bias);
        } else if (!pointwise) {
            b.addStatement("float[] col = cols[worker]");
            ctx.needCol(packedBound(d.outSize(), d.kg()) + (d.padded() ? PaddedImage.of(d).floats(d.cg()) : 0));
            addPackedIm2col(ctx, name + "_im2col", d);
        }
        ctx.threadImages(b, x.shape().dim(0));
        b.beginControlFlow("for (int n = first; n < last; n++)");
        for (int group = 0; group < g.groups(); group++) {
            String xAt = Expr.add(Expr.mul("n", d.c() * d.inSize()), group * d.cg() * d.inSize());
            String dyAt = Expr.add(Expr.mul("n", d.o() * d.outSize()), group * d.og() * d.outSize());
            if (tapwise) {
                tapwiseWeightGrad(ctx, n, name, d, b, xAt, dyAt, group);
            } else if (implicit) {
                implicitWeightGrad(ctx, n, name, d, b, xAt, dyAt, group, bias != null);
            } else if (pointwise) {
                b.add("// dw[o, c] += Σ_p dy[o, p] · x[c, p]: a GEMM of $L×$L×$L\n", d.og(), d.kg(), d.outSize());
                b.addStatement("$T.multiply(false, true, $L, $L, $L, $L, $L, $L, $L, $L, $L, acc, $L, $L, true,"
                                + " gemm[worker])", ctx.gemmClass, d.og(), d.kg(), d.outSize(), ctx.buf(dy), dyAt,
                        d.outSize(), ctx.buf(x), xAt, d.outSize(), group * d.og() * d.kg(), d.kg());
            } else {
                b.addStatement("$L_im2col($L, $L, col)", name, ctx.buf(x), xAt);
                b.add("// dw[o, (c,q)] += Σ_p dy[o, p] · col[(c,q), p]: a GEMM of $L×$L×$L, colᵀ already packed\n",
                        d.og(), d.kg(), d.outSize());
                b.addStatement("$T.multiplyPacked(false, $L, $L, $L, $L, $L, $L, col, 0, acc, $L, $L, true,"
                                + " gemm[worker])", ctx.gemmClass, d.og(), d.kg(), d.outSize(), ctx.buf(dy), dyAt,
                        d.outSize(), group * d.og() * d.kg(), d.kg());
            }
        }
        b.endControlFlow();
        if (tapwise) {
            tapwiseWeightGradEpilogue(d, b);
        }
        if (implicit) {
            implicitWeightGradSums(ctx, d, b, bias != null);
        }
        if (bias != null) {
            implicitWeightGradWithBiasEpilogue(ctx, d, b, bias, size);
        }
        ctx.loopMethod(n, name, "team.size()", true, b.build());
        ctx.run.beginControlFlow("if (team.size() > 1)")
                .addStatement("sumPartials($L, $L)", ctx.buf(n), size);
        if (bias != null) {
            ctx.run.add("// $L: each thread's sums sit behind its partial of the weight gradient\n",
                            ctx.describe(bias).replace("$", "$$"))
                    .beginControlFlow("for (int o = 0; o < $L; o++)", d.o())
                    .addStatement("float s = 0f")
                    .beginControlFlow("for (float[] p : partials)")
                    .addStatement("s += p[$L + o]", size)
                    .endControlFlow()
                    .addStatement("$L[o] = s", ctx.buf(bias))
                    .endControlFlow();
        }
        ctx.run.endControlFlow();
    }

    /** Where a tap-wise weight gradient keeps its parts in col. */
    private record TapwiseLayout(int grid, long gridAt, long packedAt, long dwAt, long end) {
        static TapwiseLayout of(ConvDims d) {
            PaddedImage src = PaddedImage.of(d);
            int grid = src.gridPositions(d);
            int[] taps = src.tapOffsets(d);
            int reach = java.util.Arrays.stream(taps, 0, d.taps()).max().orElse(0);
            // B's rows reach position grid − 1 + reach; the copy's own positions end at size + tail
            int positions = Math.max(src.size() + src.tail(), grid + reach);
            long gridAt = (long) positions * d.cg();
            long packedAt = gridAt + (long) d.og() * grid;
            long dwAt = packedAt + Gemm.packedASize(d.og(), grid);
            long end = dwAt + (long) d.g().groups() * d.taps() * d.og() * d.cg();
            return new TapwiseLayout(grid, gridAt, packedAt, dwAt, end);
        }
    }

    /**
     * The scratch of a tap-wise weight gradient, zeroed once per call (each image overwrites the same positions):
     * the padded image channels-last at col[0..), dy spread over the padded grid, dy packed for the micro-kernel,
     * and the per-tap sums dwT[g][t][o][c].
     */
    private static void tapwiseWeightGradPrologue(EmitContext ctx, String name, ConvDims d, CodeBlock.Builder b) {
        TapwiseLayout at = TapwiseLayout.of(d);
        PaddedImage src = PaddedImage.of(d);
        ctx.needCol(at.end());
        int[] taps = java.util.Arrays.copyOf(src.tapOffsets(d), d.taps());
        for (int t = 0; t < taps.length; t++) {
            taps[t] *= d.cg(); // positions to floats of the channels-last copy
        }
        ctx.constantArray(name.toUpperCase() + "_TAP", taps);
        addIm2colMethod(ctx, name + "_channels_last", c -> emitChannelsLastCopy(c, d, src));
        b.addStatement("float[] col = cols[worker]");
        b.add("// padding and grid positions without an output stay zero; the per-tap sums start from zero\n");
        b.addStatement("$T.fill(col, 0, $L, 0f)", java.util.Arrays.class, at.end());
    }

    /**
     * One image of a tap-wise weight gradient: dwT[t][o, c] += Σ_q dy[o, q] · x[q + tap(t), c] over the padded
     * grid's positions q, one GEMM of og×cg×grid per tap, B read in place from the channels-last copy.
     */
    private static void tapwiseWeightGrad(EmitContext ctx, Node n, String name, ConvDims d, CodeBlock.Builder b,
                                          String xAt, String dyAt, int group) {
        TapwiseLayout at = TapwiseLayout.of(d);
        PaddedImage src = PaddedImage.of(d);
        String taps = name.toUpperCase() + "_TAP";
        long dwAt = at.dwAt() + (long) group * d.taps() * d.og() * d.cg();
        b.addStatement("$L_channels_last($L, $L, col)", name, ctx.buf(ctx.input(n, 0)), xAt);
        b.add("// dy[o] spread over the padded grid at col[$L + o·$L..), then packed at col[$L..)\n", at.gridAt(),
                at.grid(), at.packedAt());
        spreadOntoGrid(b, ctx.gemmClass, d, src, ctx.buf(ctx.input(n, 1)), dyAt, at.gridAt(), at.grid());
        b.addStatement("$T.packA($L, $L, col, $L, $L, col, $L)", ctx.gemmClass, d.og(), at.grid(), at.gridAt(),
                at.grid(), at.packedAt());
        b.add("// dwT[t][o, c] += Σ_q dy[o, q] · x[q + tap t, c]: $L GEMMs of $L×$L×$L sharing the packed dy\n",
                d.taps(), d.og(), d.cg(), at.grid());
        b.beginControlFlow("for (int t = 0; t < $L; t++)", d.taps())
                .addStatement("$T.multiplyStrided($L, $L, $L, col, $L, col, $L[t], $L, col, $L + t * $L, $L, true,"
                                + " gemm[worker])", ctx.gemmClass, d.og(), d.cg(), at.grid(), at.packedAt(), taps,
                        d.cg(), dwAt, d.og() * d.cg(), d.cg())
                .endControlFlow();
    }

    /** After the images: dw[(g, o), c, t] = dwT[g][t][o, c], into this thread's sum. */
    private static void tapwiseWeightGradEpilogue(ConvDims d, CodeBlock.Builder b) {
        TapwiseLayout at = TapwiseLayout.of(d);
        b.add("// the per-tap sums into dw's layout [(g, o), c, t]\n");
        b.beginControlFlow("for (int g = 0; g < $L; g++)", d.g().groups())
                .beginControlFlow("for (int t = 0; t < $L; t++)", d.taps())
                .beginControlFlow("for (int o = 0; o < $L; o++)", d.og())
                .beginControlFlow("for (int c = 0; c < $L; c++)", d.cg())
                .addStatement("acc[((g * $L + o) * $L + c) * $L + t] = col[$L + ((g * $L + t) * $L + o) * $L + c]",
                        d.og(), d.cg(), d.taps(), at.dwAt(), d.taps(), d.og(), d.cg())
                .endControlFlow().endControlFlow().endControlFlow().endControlFlow();
    }

    /**
     * Where a weight gradient run as dot products keeps its parts in col: the padded image at 0 with zeros behind it,
     * dy spread over the padded grid at gridAt (one row of {@code length} per output channel), and, when it also sums
     * the bias, {@code length} ones at onesAt and the sums [o, kg + 1] at sumsAt.
     */
    private record DotsLayout(int length, int kg, long gridAt, long onesAt, long sumsAt, long lanesAt, int lanesSize,
                              long end) {
        static DotsLayout of(ConvDims d, boolean bias) {
            int length = ConvCostModel.dotLength(d);
            long gridAt = paddedCopyFloats(d, PaddedImage.of(d)), onesAt = gridAt + (long) d.og() * length;
            long sumsAt = onesAt + length;
            long lanesAt = bias ? sumsAt + (long) d.og() * (d.kg() + 1) : onesAt;
            int lanesSize = Gemm.lanesSize(d.og(), d.kg() + (bias ? 1 : 0));
            return new DotsLayout(length, d.kg(), gridAt, onesAt, sumsAt, lanesAt, lanesSize,
                    lanesAt + (long) d.g().groups() * lanesSize);
        }
    }

    /**
     * The scratch of a stride-1 weight gradient read in place ({@link DotsLayout}), zeroed once per call: each image
     * overwrites the same positions. With a bias, B gets one more row, all ones: its dot product with dy[o] is dy[o]'s
     * sum.
     */
    private static void implicitWeightGradPrologue(EmitContext ctx, String name, ConvDims d, CodeBlock.Builder b,
                                                   Node bias) {
        PaddedImage src = PaddedImage.of(d);
        DotsLayout at = DotsLayout.of(d, bias != null);
        ctx.needCol(at.end());
        addIm2colMethod(ctx, name + "_pad", c -> emitPaddedCopy(c, ctx.gemmClass, d, src, 0, true));
        int[] taps = src.tapOffsets(d);
        if (bias != null) {
            taps = java.util.Arrays.copyOf(taps, taps.length + 1);
            taps[taps.length - 1] = Math.toIntExact(at.onesAt());
        }
        ctx.constantArray(name.toUpperCase() + "_TAP", taps);
        b.addStatement("float[] col = cols[worker]");
        b.add("// dy's grid at col[$L..) is zero where a padded row holds no output, and so is the image's tail\n",
                at.gridAt());
        b.addStatement("$T.fill(col, 0, $L, 0f)", java.util.Arrays.class, at.onesAt());
        if (bias != null) {
            b.add("// ones at col[$L..), and the sums [o, (c,t) then one more for $L] at col[$L..), from zero\n",
                    at.onesAt(), bias.name(), at.sumsAt());
            b.addStatement("$T.fill(col, $L, $L, 1f)", java.util.Arrays.class, at.onesAt(), at.sumsAt());
            b.addStatement("$T.fill(col, $L, $L, 0f)", java.util.Arrays.class, at.sumsAt(), at.lanesAt());
        }
        b.add("// the dot products' lanes at col[$L..), from zero: added up once, after the images\n", at.lanesAt());
        b.addStatement("$T.fill(col, $L, $L, 0f)", java.util.Arrays.class, at.lanesAt(), at.end());
    }

    /** After a thread's images: the dot products' lanes added up into the sums (with a bias) or acc. */
    private static void implicitWeightGradSums(EmitContext ctx, ConvDims d, CodeBlock.Builder b, boolean bias) {
        DotsLayout at = DotsLayout.of(d, bias);
        for (int group = 0; group < d.g().groups(); group++) {
            long lanesAt = at.lanesAt() + (long) group * at.lanesSize();
            if (bias) {
                b.addStatement("$T.sumLanes($L, $L, col, $L, col, $L, $L)", ctx.gemmClass, d.og(), d.kg() + 1, lanesAt,
                        at.sumsAt(), d.kg() + 1);
            } else {
                b.addStatement("$T.sumLanes($L, $L, col, $L, acc, $L, $L)", ctx.gemmClass, d.og(), d.kg(), lanesAt,
                        (long) group * d.og() * d.kg(), d.kg());
            }
        }
    }

    /**
     * After a thread's images: its sums [o, kg + 1] in col split into the weight gradient's acc [o, kg] and the bias
     * gradient, written into the bias's buffer on one thread, else behind the weight gradient in the thread's partial.
     */
    private static void implicitWeightGradWithBiasEpilogue(EmitContext ctx, ConvDims d, CodeBlock.Builder b, Node bias,
                                                           int size) {
        DotsLayout at = DotsLayout.of(d, true);
        int kg = at.kg();
        b.add("// the sums into dw and, their last column, $L\n", ctx.describe(bias).replace("$", "$$"))
                .addStatement("float[] biasAcc = team.size() == 1 ? $L : partials[worker]", ctx.buf(bias))
                .addStatement("int biasAt = team.size() == 1 ? 0 : $L", size)
                .beginControlFlow("for (int o = 0; o < $L; o++)", d.og())
                .addStatement("$T.arraycopy(col, $L + o * $L, acc, o * $L, $L)", System.class, at.sumsAt(), kg + 1,
                        kg, kg)
                .addStatement("biasAcc[biasAt + o] = col[$L + o * $L]", at.sumsAt() + kg, kg + 1)
                .endControlFlow();
    }

    /**
     * One image of a stride-1 weight gradient, no column matrix: dw[o, (c,t)] += Σ_q dy[o, q] · padded[c, q +
     * tap(t)] over the positions q of the padded grid, dy being zero where a padded row holds no output.
     */
    private static void implicitWeightGrad(EmitContext ctx, Node n, String name, ConvDims d, CodeBlock.Builder b,
                                           String xAt, String dyAt, int group, boolean bias) {
        DotsLayout at = DotsLayout.of(d, bias);
        int length = at.length();
        String taps = name.toUpperCase() + "_TAP";
        Node dy = ctx.input(n, 1);
        b.addStatement("$L_pad($L, $L, col)", name, ctx.buf(ctx.input(n, 0)), xAt);
        b.add("// dy[o] spread over the padded grid: row o at col[$L + o·$L..)\n", at.gridAt(), length);
        spreadOntoGrid(b, ctx.gemmClass, d, PaddedImage.of(d), ctx.buf(dy), dyAt, at.gridAt(), length);
        if (bias) {
            b.add("// sums[o, (c,t)] += Σ_q dy[o, q] · padded[q + $L[(c,t)]], and sums[o, $L] += Σ_q dy[o, q] (the"
                    + " ones): $L×$L dot products of length $L, in lanes\n", taps, d.kg(), d.og(), d.kg() + 1, length);
        } else {
            b.add("// dw[o, (c,t)] += Σ_q dy[o, q] · padded[q + $L[(c,t)]]: $L×$L dot products of length $L,"
                    + " in lanes\n", taps, d.og(), d.kg(), length);
        }
        b.addStatement("$T.multiplyRowsInLanes($L, $L, $L, col, $L, $L, col, 0, $L, col, $L, gemm[worker])",
                ctx.gemmClass, d.og(), d.kg() + (bias ? 1 : 0), length, at.gridAt(), length, taps,
                at.lanesAt() + (long) group * at.lanesSize());
    }
}
