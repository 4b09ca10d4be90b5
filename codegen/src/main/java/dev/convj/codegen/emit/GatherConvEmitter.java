package dev.convj.codegen.emit;

import static dev.convj.codegen.emit.ConvColumns.*;

import com.palantir.javapoet.CodeBlock;
import dev.convj.codegen.kernels.Gemm;
import dev.convj.codegen.plan.ConvAlgorithm;
import dev.convj.codegen.plan.ConvCostModel;
import dev.convj.codegen.plan.ConvDims;
import dev.convj.codegen.plan.ConvPass;
import dev.convj.codegen.plan.PaddedImage;
import dev.convj.graph.Node;
import java.util.Arrays;

/**
 * {@link ConvAlgorithm#GATHER_GEMM}: a convolution whose micro-kernel reads the image through two offset tables, a
 * window corner per output position and an offset per tap, so no column matrix is copied and a tile of positions
 * may span image rows. The forward pass computes out[p, o] = Σ_(c,t) image[corner(p) + tap(c,t)] · w[o, (c,t)] with
 * the output channels in the vector lanes, then writes each channel's plane; the weight gradient sums dwᵀ[(c,t), o]
 * += Σ_p image[tap(c,t) + corner(p)] · dy[o, p] over the thread's images with dy's channels in the lanes.
 */
final class GatherConvEmitter {
    private GatherConvEmitter() {}

    /** Where the scratch of one call keeps its parts, in floats of col. */
    private record Layout(PaddedImage src, int panels, int ldc, long packedAt, long resultAt, long end) {
        static Layout of(ConvDims d, int rows, int bDepth, int bCopies) {
            PaddedImage src = PaddedImage.of(d);
            int panels = (d.og() + Gemm.NR - 1) / Gemm.NR, ldc = panels * Gemm.NR;
            long packedAt = src.padded() ? paddedCopyFloats(d, src) : 0;
            long resultAt = packedAt + (long) bCopies * panels * Gemm.NR * bDepth;
            return new Layout(src, panels, ldc, packedAt, resultAt, resultAt + (long) rows * ldc);
        }
    }

    /** Each output position's window corner in the (padded) image, in output order, for any stride. */
    static int[] corners(ConvDims d, PaddedImage src) {
        int r = d.r();
        int[] corner = new int[d.outSize()];
        for (int p = 0; p < corner.length; p++) {
            int rest = p, offset = 0;
            for (int a = r - 1; a >= 0; a--) {
                offset += rest % d.out().get(a) * d.g().stride().get(a) * src.stride()[a];
                rest /= d.out().get(a);
            }
            corner[p] = offset;
        }
        return corner;
    }

    /**
     * The table padded to whole tiles of rows for a C of n columns ({@link Gemm#gatherRows}) by repeating its last
     * offset (a valid read).
     */
    static int[] wholeTiles(int[] offsets, int n) {
        int rows = Gemm.gatherRows(n);
        int[] padded = Arrays.copyOf(offsets, (offsets.length + rows - 1) / rows * rows);
        Arrays.fill(padded, offsets.length, padded.length, offsets[offsets.length - 1]);
        return padded;
    }

    /**
     * Where the kernel reads one group's image: x itself, or (when the convolution pads) the zero-padded copy that
     * this emits at col[0..); the array and the offset of its channel 0.
     */
    private static String[] image(CodeBlock.Builder b, String name, PaddedImage src, String x, String xAt) {
        if (!src.padded()) {
            return new String[] {x, xAt};
        }
        b.addStatement("$L_pad($L, $L, col)", name, x, xAt);
        return new String[] {"col", "0"};
    }

    /** Node n's forward pass d, bias, fused ReLU and a fused 2×2 max pool in the epilogue. */
    static void forward(EmitContext ctx, Node n, ConvDims d, String filters) {
        String name = ctx.methodName(n), y = ctx.buf(n), x = ctx.buf(ctx.input(n, 0));
        int groups = d.g().groups(), og = d.og(), kg = d.kg();
        int[] corners = wholeTiles(corners(d, PaddedImage.of(d)), og);
        Layout at = Layout.of(d, corners.length, kg, groups);
        ctx.needCol(at.end());
        String pos = ctx.constantArray(name.toUpperCase() + "_CORNER", corners);
        String taps = ctx.constantArray(name.toUpperCase() + "_TAP", at.src().tapOffsets(d));
        if (at.src().padded()) {
            addIm2colMethod(ctx, name + "_pad", b -> emitPaddedCopy(b, ctx.gemmClass, d, at.src(), 0, true));
        }
        CodeBlock.Builder b = CodeBlock.builder().addStatement("float[] col = cols[worker]");
        b.add("// the filters as B[(c,t)][o] in panels of $L output channels, once per call, at col[$L..)\n", Gemm.NR,
                at.packedAt());
        for (int group = 0; group < groups; group++) {
            b.addStatement("$T.packTransposedPanels($L, $L, $L, $L, $L, 0, $L, col, $L)", ctx.gemmClass, kg, og,
                    filters, (long) group * og * kg, kg, at.panels(), at.packedAt() + (long) group * at.ldc() * kg);
        }
        boolean bias = n.inputs().size() == 3;
        boolean relu = ctx.plan.epilogueOf(n) >= 0;
        Node pool = ctx.plan.poolOf(n) < 0 ? null : ctx.graph.node(ctx.plan.poolOf(n));
        b.beginControlFlow("for (int n = from; n < to; n++)");
        for (int group = 0; group < groups; group++) {
            String xAt = Expr.add(Expr.mul("n", d.c() * d.inSize()), group * d.cg() * d.inSize());
            String[] image = image(b, name, at.src(), x, xAt);
            String src = image[0], srcAt = image[1];
            b.add("// out[p, o] = Σ_(c,t) image[$L[p] + $L[(c,t)]] · w[o, (c,t)]: a gathered GEMM of $L×$L×$L,"
                    + " positions by channels, into col[$L..)\n", pos, taps, corners.length, og, kg, at.resultAt());
            b.addStatement("$T.multiplyGathered($L, $L, $L, $L, $L, $L, $L, 0, col, $L, col, $L, $L, false)",
                    ctx.gemmClass, corners.length, og, kg, src, srcAt, pos, taps,
                    at.packedAt() + (long) group * at.ldc() * kg, at.resultAt(), at.ldc());
            if (pool != null) {
                int planes = pool.shape().dim(2) * pool.shape().dim(3);
                b.add("// fused $L: each 2×2 window's maximum$L, each channel's pooled plane into $L\n",
                        ctx.describe(pool).replace("$", "$$"),
                        bias || relu ? " (" + epilogueName(bias, relu) + " first)" : "", y);
                b.addStatement("$T.poolPositionsToPlanes(col, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L)", ctx.maxPool2x2,
                        at.resultAt(), d.out().get(0), d.out().get(1), at.ldc(), og,
                        bias ? ctx.buf(ctx.input(n, 2)) : "null", group * og, relu, y,
                        Expr.add(Expr.mul("n", d.o() * planes), group * og * planes));
                continue;
            }
            b.add("// each channel's plane into $L$L\n", y, bias || relu ? ", " + epilogueName(bias, relu) : "");
            b.addStatement("$T.positionsToPlanes(col, $L, $L, $L, $L, $L, $L, $L, $L, $L)", ctx.gemmClass,
                    at.resultAt(), d.outSize(), at.ldc(), og, bias ? ctx.buf(ctx.input(n, 2)) : "null", group * og,
                    relu, y, Expr.add(Expr.mul("n", d.o() * d.outSize()), group * og * d.outSize()));
        }
        b.endControlFlow();
        ctx.loopMethod(n, name, n.shape().dim(0), true, b.build());
    }

    /**
     * Node n's weight gradient d: per thread, dwᵀ summed over its images in col (taps by dy's channels), then
     * written into the thread's partial in dw's layout [(g, o), (c, t)].
     */
    static CodeBlock weightGradient(EmitContext ctx, Node n, String name, ConvDims d) {
        Node x = ctx.input(n, 0), dy = ctx.input(n, 1);
        int groups = d.g().groups(), og = d.og(), kg = d.kg();
        // 5-wide kernels across at unit stride: two kernel rows a tile, each image value broadcast once for its taps
        boolean byKernelRows = ConvCostModel.gathersKernelRows(ConvPass.WEIGHT_GRADIENT, d);
        int[] offsets = PaddedImage.of(d).tapOffsets(d);
        int kernelRows = kg / Gemm.KERNEL_ROW_TAPS;
        int[] taps = byKernelRows ? offsets : wholeTiles(offsets, og);
        // rows of dwᵀ per group: an odd last kernel row's copy writes five more
        int rows = byKernelRows ? (kernelRows + 1) / 2 * 2 * Gemm.KERNEL_ROW_TAPS : taps.length;
        Layout at = Layout.of(d, groups * rows, d.outSize(), 1);
        ctx.needCol(at.end());
        int[] corners = corners(d, at.src());
        String tap, pos;
        if (byKernelRows) {
            int[] rowTaps = new int[kernelRows], rowStarts = new int[d.out().get(0)];
            for (int k = 0; k < kernelRows; k++) {
                rowTaps[k] = offsets[k * Gemm.KERNEL_ROW_TAPS];
            }
            for (int i = 0; i < rowStarts.length; i++) {
                rowStarts[i] = corners[i * d.out().get(1)];
            }
            tap = ctx.constantArray(name.toUpperCase() + "_ROW_TAP", rowTaps);
            pos = ctx.constantArray(name.toUpperCase() + "_ROW_START", rowStarts);
        } else {
            tap = ctx.constantArray(name.toUpperCase() + "_TAP", taps);
            pos = ctx.constantArray(name.toUpperCase() + "_CORNER", corners);
        }
        if (at.src().padded()) {
            addIm2colMethod(ctx, name + "_pad", c -> emitPaddedCopy(c, ctx.gemmClass, d, at.src(), 0, true));
        }
        CodeBlock.Builder b = CodeBlock.builder();
        ctx.partialAccumulator(b, n);
        b.addStatement("float[] col = cols[worker]");
        if (og % Gemm.NR == 0) {
            b.add("// dwᵀ[g][(c,t)][o] at col[$L..), from zero\n", at.resultAt());
        } else { // packTransposedColumns writes dy's channels only, so the panels' other columns are zeroed here
            b.add("// dy's panels at col[$L..), their columns past its $L channels zero, and dwᵀ[g][(c,t)][o] at"
                    + " col[$L..), from zero\n", at.packedAt(), og, at.resultAt());
        }
        b.addStatement("$T.fill(col, $L, $L, 0f)", Arrays.class, og % Gemm.NR == 0 ? at.resultAt() : at.packedAt(),
                at.end());
        ctx.threadImages(b, x.shape().dim(0));
        b.beginControlFlow("for (int n = first; n < last; n++)");
        for (int group = 0; group < groups; group++) {
            String xAt = Expr.add(Expr.mul("n", d.c() * d.inSize()), group * d.cg() * d.inSize());
            String dyAt = Expr.add(Expr.mul("n", d.o() * d.outSize()), group * og * d.outSize());
            String[] image = image(b, name, at.src(), ctx.buf(x), xAt);
            String src = image[0], srcAt = image[1];
            b.add("// dy[n]'s channels as B[p][o] in panels of $L at col[$L..)\n", Gemm.NR, at.packedAt());
            b.addStatement("$T.packTransposedColumns($L, $L, $L, $L, $L, col, $L)", ctx.gemmClass, d.outSize(), og,
                    ctx.buf(dy), dyAt, d.outSize(), at.packedAt());
            if (byKernelRows) {
                b.add("// dwᵀ[(c,t), o] += Σ_(i,j) image[$L[i] + $L[(c,kh)] + j + kw] · dy[o, i, j], two kernel rows"
                        + " (c,kh) of $L taps a tile: each image value broadcast once for the taps that read it\n", pos,
                        tap, Gemm.KERNEL_ROW_TAPS);
                b.addStatement("$T.multiplyKernelRows($L, $L, $L, $L, $L, $L, $L, col, $L, col, $L, $L)", ctx.gemmClass,
                        kernelRows, d.out().get(0), d.out().get(1), src, srcAt, tap, pos, at.packedAt(),
                        at.resultAt() + (long) group * rows * at.ldc(), at.ldc());
                continue;
            }
            b.add("// dwᵀ[(c,t), o] += Σ_p image[$L[(c,t)] + $L[p]] · dy[o, p]: a gathered GEMM of $L×$L×$L\n", tap,
                    pos, taps.length, og, d.outSize());
            b.addStatement("$T.multiplyGathered($L, $L, $L, $L, $L, $L, $L, 0, col, $L, col, $L, $L, true)",
                    ctx.gemmClass, taps.length, og, d.outSize(), src, srcAt, tap, pos, at.packedAt(),
                    at.resultAt() + (long) group * taps.length * at.ldc(), at.ldc());
        }
        b.endControlFlow();
        b.add("// dwᵀ into dw's layout [(g, o), (c,t)]\n");
        b.beginControlFlow("for (int g = 0; g < $L; g++)", groups)
                .beginControlFlow("for (int o = 0; o < $L; o++)", og)
                .beginControlFlow("for (int j = 0; j < $L; j++)", kg)
                .addStatement("acc[(g * $L + o) * $L + j] = col[$L + (g * $L + j) * $L + o]", og, kg, at.resultAt(),
                        rows, at.ldc())
                .endControlFlow().endControlFlow().endControlFlow();
        return b.build();
    }
}
