package dev.convj.codegen.emit;

import static dev.convj.codegen.emit.ConvColumns.*;

import com.palantir.javapoet.CodeBlock;
import dev.convj.codegen.kernels.Gemm;
import dev.convj.codegen.kernels.WinogradF4;
import dev.convj.codegen.plan.ConvAlgorithm;
import dev.convj.codegen.plan.ConvCostModel;
import dev.convj.codegen.plan.ConvDims;
import dev.convj.codegen.plan.ConvPlan;
import dev.convj.codegen.plan.KernelBand;
import dev.convj.codegen.plan.PaddedImage;
import dev.convj.codegen.plan.WinogradTransform;
import dev.convj.graph.Node;
import dev.convj.graph.ops.ConvGeometry;
import dev.convj.graph.ops.ConvTranspose;

/**
 * A convolution's input gradient, dx = conv_transpose(dy, w) (+ bias: also the transposed-convolution layer), as its
 * {@link ConvAlgorithm} says: at stride 1 the equivalent forward convolution of the padded dy (implicit, banded or
 * not), or one GEMM per kernel tap accumulating into a zero-padded x; at any stride col = wᵀ · dy per image, then
 * col2im scatters the columns back through the same index map.
 */
final class ConvInputGradEmitter {
    private ConvInputGradEmitter() {}

    /**
     * Whether input gradient {@code n}'s code can apply a ReLU's backward as it stores its values: F(4×4, 3×3) with
     * its vector transforms, which mask each plane right after scattering it ({@code WinogradF4.maskReluBackward}).
     */
    static boolean masksInEpilogue(ConvPlan convPlan, Node n) {
        return n.op() instanceof ConvTranspose && n.shape().rank() == 4
                && convPlan.of(n).algorithm().winograd() == WinogradTransform.F4 && WinogradF4.bits() > 0;
    }

    static void emit(EmitContext ctx, Node n, ConvGeometry g) {
        Node dy = ctx.input(n, 0), w = ctx.input(n, 1);
        ConvDims d = ConvDims.of(g, n.shape(), w.shape(), dy.shape());
        ConvAlgorithm algorithm = ctx.convPlan.of(n).algorithm();
        if (algorithm == ConvAlgorithm.IMPLICIT_GEMM || algorithm == ConvAlgorithm.BANDED_IMPLICIT_GEMM) {
            implicit(ctx, n, d, algorithm == ConvAlgorithm.BANDED_IMPLICIT_GEMM);
            return;
        }
        if (algorithm.winograd() != null) {
            // the forward convolution of the padded dy: output channel k is x's channel, input channel c is dy's,
            // and its filter is w[c, k] flipped in space
            ConvDims e = ConvCostModel.inputGradientAsForward(d).orElseThrow();
            WinogradConvEmitter.emit(ctx, n, e, ctx.buf(w), (i, j) -> "(c * " + d.c() + " + k) * 9 + " + (8 - i * 3 - j),
                    algorithm.winograd());
            return;
        }
        if (algorithm == ConvAlgorithm.TAPWISE_GEMM) {
            tapwise(ctx, n, d);
            return;
        }
        String name = ctx.methodName(n);
        String x = ctx.buf(n);
        // col[0..) the column matrix (col2im reads it there), then one image's dy with room for the kernel's reads
        // past its last row, then wᵀ packed for the micro-kernel once per call.
        long dyAt = (long) d.kg() * d.outSize();
        long packedAt = dyAt + (long) d.og() * d.outSize() + 64;
        int packedSize = Gemm.packedASize(d.kg(), d.og());
        ctx.needCol(packedAt + (long) g.groups() * packedSize);
        addCol2im(ctx, name + "_col2im", d);
        int[] rows = new int[d.og()];
        for (int o = 0; o < d.og(); o++) {
            rows[o] = o * d.outSize();
        }
        String dyRows = ctx.constantArray(name.toUpperCase() + "_DY_ROW", rows);
        CodeBlock.Builder b = CodeBlock.builder().addStatement("float[] col = cols[worker]");
        b.add("// wᵀ[(c,q), o] = w[o, (c,q)] per group, packed for the micro-kernel once per call, at col[$L..)\n",
                packedAt);
        for (int group = 0; group < g.groups(); group++) {
            b.addStatement("$T.packATransposed($L, $L, $L, $L, $L, col, $L)", ctx.gemmClass, d.kg(), d.og(),
                    ctx.buf(w), (long) group * d.og() * d.kg(), d.kg(), packedAt + (long) group * packedSize);
        }
        b.beginControlFlow("for (int n = from; n < to; n++)")
                .addStatement("$T.fill($L, n * $L, (n + 1) * $L, 0f)", java.util.Arrays.class, x,
                        d.c() * d.inSize(), d.c() * d.inSize());
        for (int group = 0; group < g.groups(); group++) {
            b.addStatement("$T.arraycopy($L, $L, col, $L, $L)", System.class, ctx.buf(dy),
                    Expr.add(Expr.mul("n", d.o() * d.outSize()), group * d.og() * d.outSize()), dyAt,
                    d.og() * d.outSize());
            b.add("// col[(c,q), p] = Σ_o w[o, (c,q)] · dy[o, p]: a GEMM of $L×$L×$L, then scattered back\n",
                    d.kg(), d.outSize(), d.og());
            b.addStatement("$T.multiplyImplicit($L, $L, $L, col, $L, col, $L, $L, col, 0, $L, false, gemm[worker])",
                    ctx.gemmClass, d.kg(), d.outSize(), d.og(), packedAt + (long) group * packedSize, dyAt, dyRows,
                    d.outSize());
            b.addStatement("$L_col2im(col, $L, n * $L + $L)", name, x, d.c() * d.inSize(), group * d.cg() * d.inSize());
        }
        if (n.inputs().size() == 3) {
            b.beginControlFlow("for (int c = 0; c < $L; c++)", d.c())
                    .addStatement("float bias = $L[c]", ctx.buf(ctx.input(n, 2)))
                    .addStatement("int at = n * $L + c * $L", d.c() * d.inSize(), d.inSize())
                    .beginControlFlow("for (int i = at; i < at + $L; i++)", d.inSize())
                    .addStatement("$L[i] += bias", x)
                    .endControlFlow().endControlFlow();
        }
        b.endControlFlow();
        ctx.loopMethod(n, name, n.shape().dim(0), true, b.build());
    }

    /**
     * A stride-1 transposed convolution (the input gradient of a stride-1 convolution) as a forward convolution:
     * dy zero-padded by d·(k − 1) − p on each side, correlated with the filters flipped in space and transposed
     * (channels of x become output channels); banded, each tile multiplies only the kernel rows that reach dy's rows.
     */
    private static void implicit(EmitContext ctx, Node n, ConvDims d, boolean banded) {
        ConvGeometry g = d.g();
        ConvDims e = ConvCostModel.inputGradientAsForward(d).orElseThrow();
        KernelBand band = banded ? KernelBand.of(e) : null;
        long at = implicitScratch(e);
        String w = ctx.buf(ctx.input(n, 1));
        int rest = d.taps() / d.k().get(0); // taps per kernel row
        CodeBlock prologue = CodeBlock.builder()
                .add("// the filters flipped in space and transposed, at col[$L..): wt[c, $L] = w[o, c, $L − t]\n",
                        at, banded ? "(t / " + rest + ", o, t % " + rest + ")" : "(o, t)", d.taps() - 1)
                .beginControlFlow("for (int g = 0; g < $L; g++)", g.groups())
                .beginControlFlow("for (int c = 0; c < $L; c++)", d.cg())
                .beginControlFlow("for (int o = 0; o < $L; o++)", d.og())
                .beginControlFlow("for (int t = 0; t < $L; t++)", d.taps())
                .addStatement("col[$L + (g * $L + c) * $L + $L] = $L[((g * $L + o) * $L + c) * $L + $L - t]",
                        at, d.cg(), d.og() * d.taps(), banded ? "(t / " + rest + " * " + d.og() + " + o) * " + rest
                        + " + t % " + rest : "o * " + d.taps() + " + t", w, d.og(), d.cg(), d.taps(), d.taps() - 1)
                .endControlFlow().endControlFlow().endControlFlow().endControlFlow()
                .build();
        ImplicitConvEmitter.emit(ctx, n, e, "col", at, prologue, band);
    }

    /**
     * A stride-1 transposed convolution whose implicit form would multiply mostly padding (thin images, big
     * kernels), as one small GEMM per kernel tap t: dxPad[c, q + tap(t)] += Σ_o w[o, c, t] · dy[o, q] over the
     * positions q of the padded x grid, dy spread onto that grid (zeros where a padded row holds no output). The
     * GEMMs accumulate straight into a zero-padded copy of x — no column matrix, no scatter loop — whose valid
     * region is copied out (+ bias) at the end. Positions that wrap past a row's end receive zeros only.
     */
    private static void tapwise(EmitContext ctx, Node n, ConvDims d) {
        String name = ctx.methodName(n);
        String x = ctx.buf(n);
        Node dy = ctx.input(n, 0), w = ctx.input(n, 1);
        boolean bias = n.inputs().size() == 3;
        PaddedImage src = PaddedImage.of(d);
        // The GEMMs run over whole panels: dy's grid rows are padded with zeros to a multiple of the kernel's NR
        // columns, so no edge tile goes through scratch.
        int nr = Gemm.NR, r = d.r(), grid = (src.gridPositions(d) + nr - 1) / nr * nr, taps = d.taps();
        // col: dy's grid (og rows of `grid`), the padded x (cg planes, slack for the wrapped last rows), the
        // filters per tap [t][c][o], and the same packed for the micro-kernel.
        long gridAt = 0, dxAt = (long) d.og() * grid + 64;
        long dxFloats = src.floats(d.cg()) + src.stride()[0] + 80;
        long filtersAt = dxAt + dxFloats;
        long packedAt = filtersAt + (long) taps * d.cg() * d.og();
        int packedSize = Gemm.packedASize(d.cg(), d.og());
        ctx.needCol(packedAt + (long) taps * packedSize);
        int[] rows = new int[d.og()];
        for (int o = 0; o < d.og(); o++) {
            rows[o] = o * grid;
        }
        String dyRows = ctx.constantArray(name.toUpperCase() + "_DY_ROW", rows);
        // channel 0's rows of the tap table: the spatial offset of each tap
        String tapName = ctx.constantArray(name.toUpperCase() + "_TAP",
                java.util.Arrays.copyOf(src.tapOffsets(d), taps));
        CodeBlock.Builder b = CodeBlock.builder().addStatement("float[] col = cols[worker]");
        b.add("// dy's grid at col[$L..) is zero where a padded row holds no output\n", gridAt);
        b.addStatement("$T.fill(col, $L, $L, 0f)", java.util.Arrays.class, gridAt, dxAt);
        b.beginControlFlow("for (int g = 0; g < $L; g++)", d.g().groups());
        b.add("// per tap t, the filters wt[c, o] = w[o, c, t] at col[$L..), packed at col[$L..)\n", filtersAt,
                packedAt);
        b.beginControlFlow("for (int t = 0; t < $L; t++)", taps)
                .beginControlFlow("for (int c = 0; c < $L; c++)", d.cg())
                .beginControlFlow("for (int o = 0; o < $L; o++)", d.og())
                .addStatement("col[$L + (t * $L + c) * $L + o] = $L[((g * $L + o) * $L + c) * $L + t]", filtersAt,
                        d.cg(), d.og(), ctx.buf(w), d.og(), d.cg(), taps)
                .endControlFlow().endControlFlow()
                .addStatement("$T.packA($L, $L, col, $L + t * $L, $L, col, $L + t * $L)", ctx.gemmClass, d.cg(),
                        d.og(), filtersAt, d.cg() * d.og(), d.og(), packedAt, packedSize)
                .endControlFlow();
        b.beginControlFlow("for (int n = from; n < to; n++)");
        b.add("// dy[n, group g] spread over the padded grid: row o at col[$L + o·$L..)\n", gridAt, grid);
        spreadOntoGrid(b, ctx.gemmClass, d, src, ctx.buf(dy),
                Expr.add(Expr.mul("n", d.o() * d.outSize()), Expr.mul("g", d.og() * d.outSize())), gridAt, grid);
        b.addStatement("$T.fill(col, $L, $L, 0f)", java.util.Arrays.class, dxAt, dxAt + dxFloats);
        b.add("// dxPad[c, q + $L[t]] += Σ_o wt[c, o] · dy[o, q]: $L GEMMs of $L×$L×$L, accumulating in place\n",
                tapName, taps, d.cg(), grid, d.og());
        b.beginControlFlow("for (int t = 0; t < $L; t++)", taps)
                .addStatement("$T.multiplyImplicit($L, $L, $L, col, $L + t * $L, col, $L, $L, col, $L + $L[t], $L, true,"
                                + " gemm[worker])", ctx.gemmClass, d.cg(), grid, d.og(), packedAt, packedSize, gridAt,
                        dyRows, dxAt, tapName, src.size())
                .endControlFlow();
        b.add("// the valid region of dxPad into $L$L\n", x, bias ? ", + bias" : "");
        b.beginControlFlow("for (int c = 0; c < $L; c++)", d.cg());
        if (bias) {
            b.addStatement("float bias = $L[g * $L + c]", ctx.buf(ctx.input(n, 2)), d.cg());
        }
        String pad = Expr.add(String.valueOf(dxAt), Expr.mul("c", src.size()));
        String out = Expr.add(Expr.add(Expr.mul("n", d.c() * d.inSize()), Expr.mul("g", d.cg() * d.inSize())),
                Expr.mul("c", d.inSize()));
        int inStride = d.inSize();
        for (int a = 0; a < r - 1; a++) {
            inStride /= d.in().get(a);
            b.beginControlFlow("for (int i$L = 0; i$L < $L; i$L++)", a, a, d.in().get(a), a);
            pad = Expr.add(pad, Expr.mul(Expr.add("i" + a, d.g().padLow().get(a)), src.stride()[a]));
            out = Expr.add(out, Expr.mul("i" + a, inStride));
        }
        pad = Expr.add(pad, d.g().padLow().get(r - 1));
        if (bias) {
            b.addStatement("$T.copyOut(col, $L, $L, $L, $L, bias, false)", ctx.gemmClass, pad, x, out,
                    d.in().get(r - 1));
        } else {
            b.addStatement("$T.arraycopy(col, $L, $L, $L, $L)", System.class, pad, x, out, d.in().get(r - 1));
        }
        for (int a = 0; a < r; a++) {
            b.endControlFlow();
        }
        b.endControlFlow().endControlFlow();
        ctx.loopMethod(n, name, n.shape().dim(0), true, b.build());
    }
}
