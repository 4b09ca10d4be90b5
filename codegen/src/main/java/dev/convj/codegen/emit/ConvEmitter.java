package dev.convj.codegen.emit;

import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.MethodSpec;
import dev.convj.codegen.kernels.Gemm;
import dev.convj.graph.Node;
import dev.convj.graph.ops.ConvGeometry;
import java.util.List;
import javax.lang.model.element.Modifier;

/**
 * The convolution family as packed GEMM per image (images are split across threads):
 * <ul>
 *   <li>conv at stride 1: y[n] = w · B with B read in place from the zero-padded image through each tap's offset
 *       (implicit im2col), then the valid positions copied out (+ bias, + fused ReLU)</li>
 *   <li>conv at larger strides: col = im2col(x[n]); y[n] = w · col</li>
 *   <li>conv_transpose at stride 1: the forward convolution of the padded dy with flipped, transposed filters,
 *       each tile multiplying only the kernel rows that reach dy's rows (banded); when that would still multiply
 *       mostly padding, one GEMM per kernel tap accumulating into a zero-padded x</li>
 *   <li>conv_transpose at larger strides: col = wᵀ · dy[n]; x[n] = col2im(col), the scatter back through the
 *       same index map</li>
 *   <li>weight gradient at stride 1 with 16 or more channels per group: one GEMM per kernel tap, dwT[t][o, c] +=
 *       dy[n, o] over the padded grid · the image copied channels-last and shifted by tap t, read in place</li>
 *   <li>other weight gradients at stride 1 over a grid of 512 positions or more: dw[o, (c,t)] += the dot product
 *       of dy[n, o] spread over the padded grid with the padded image shifted by tap t, read in place</li>
 *   <li>other weight gradients: dw += dy[n] · im2col(x[n])ᵀ, colᵀ written in the GEMM's packed layout</li>
 *   <li>either way, one partial sum of dw per thread, added in thread order</li>
 * </ul>
 * Every extent is a constant. Padding comes from a zero-padded copy of the image, or (col2im) from precomputed
 * ranges of valid positions per kernel tap, so no copy loop tests bounds.
 */
final class ConvEmitter {
    private ConvEmitter() {}

    /** The static sizes of one convolution: big side (x), small side (y), kernel. */
    private record Dims(ConvGeometry g, List<Integer> in, List<Integer> out, List<Integer> k, int c, int o) {
        int r() {
            return g.spatialRank();
        }

        int inSize() {
            return product(in);
        }

        int outSize() {
            return product(out);
        }

        int taps() {
            return product(k);
        }

        int cg() {
            return c / g.groups();
        }

        int og() {
            return o / g.groups();
        }

        /** Rows of the column matrix: C/G channels × kernel taps. */
        int kg() {
            return cg() * taps();
        }

        /** A 1×1 kernel at unit stride without padding: the input itself is the column matrix. */
        boolean pointwise() {
            return taps() == 1 && g.stride().stream().allMatch(s -> s == 1)
                    && g.padLow().stream().allMatch(p -> p == 0) && g.padHigh().stream().allMatch(p -> p == 0);
        }

        static int product(List<Integer> v) {
            return v.stream().reduce(1, (a, b) -> a * b);
        }
    }

    static void conv(EmitContext ctx, Node n, ConvGeometry g) {
        Node x = ctx.input(n, 0), w = ctx.input(n, 1);
        Dims d = new Dims(g, x.shape().tail(2), n.shape().tail(2), w.shape().tail(2), x.shape().dim(1),
                n.shape().dim(1));
        if (!d.pointwise() && d.g.stride().stream().allMatch(s -> s == 1)) {
            implicitConv(ctx, n, d);
            return;
        }
        String name = ctx.methodName(n);
        String y = ctx.buf(n);
        CodeBlock.Builder b = CodeBlock.builder();
        if (!d.pointwise()) {
            b.addStatement("float[] col = cols[worker]");
            ctx.needCol((long) d.kg() * d.outSize() + (padded(d) ? Source.of(d).floats(d.cg()) : 0));
            // Plain rows: contiguous copies here and in the GEMM's packing beat writing packed panels directly.
            addRowIm2col(ctx, name + "_im2col", d);
        }
        b.beginControlFlow("for (int n = from; n < to; n++)");
        for (int group = 0; group < g.groups(); group++) {
            String xAt = Expr.add(Expr.mul("n", d.c * d.inSize()), group * d.cg() * d.inSize());
            String yAt = Expr.add(Expr.mul("n", d.o * d.outSize()), group * d.og() * d.outSize());
            if (d.pointwise()) {
                b.add("// 1×1 kernel at unit stride: x[n] is already the column matrix\n");
                b.addStatement("$T.multiply(false, false, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L, false,"
                                + " gemm[worker])", ctx.gemmClass, d.og(), d.outSize(), d.kg(), ctx.buf(w),
                        group * d.og() * d.kg(), d.kg(), ctx.buf(x), xAt, d.outSize(), y, yAt, d.outSize());
            } else {
                b.addStatement("$L_im2col($L, $L, col)", name, ctx.buf(x), xAt);
                b.add("// y[o, p] = Σ_(c,q) w[o, (c,q)] · col[(c,q), p]: a GEMM of $L×$L×$L\n", d.og(), d.outSize(),
                        d.kg());
                b.addStatement("$T.multiply(false, false, $L, $L, $L, $L, $L, $L, col, 0, $L, $L, $L, $L, false,"
                                + " gemm[worker])", ctx.gemmClass, d.og(), d.outSize(), d.kg(), ctx.buf(w),
                        group * d.og() * d.kg(), d.kg(), d.outSize(), y, yAt, d.outSize());
            }
        }
        boolean bias = n.inputs().size() == 3;
        boolean relu = ctx.plan.epilogueOf(n) >= 0;
        if (bias || relu) {
            b.add("// epilogue while the image is in cache: $L\n", epilogueName(bias, relu));
            b.beginControlFlow("for (int o = 0; o < $L; o++)", d.o);
            b.addStatement("int at = n * $L + o * $L", d.o * d.outSize(), d.outSize());
            if (bias) {
                b.addStatement("float bias = $L[o]", ctx.buf(ctx.input(n, 2)));
            }
            b.beginControlFlow("for (int p = at; p < at + $L; p++)", d.outSize());
            b.addStatement("$L[p] = $L", y, epilogue(y + "[p]", bias, relu));
            b.endControlFlow().endControlFlow();
        }
        b.endControlFlow();
        ctx.loopMethod(n, name, n.shape().dim(0), true, b.build());
    }

    private static String epilogueName(boolean bias, boolean relu) {
        return (bias ? "+ bias" : "") + (bias && relu ? ", " : "") + (relu ? "relu" : "");
    }

    private static String epilogue(String value, boolean bias, boolean relu) {
        String v = value + (bias ? " + bias" : "");
        return relu ? "relu(" + v + ")" : v;
    }

    /**
     * A stride-1 convolution without a column matrix: the image is copied (zero-padded) into scratch, and the
     * GEMM reads its column matrix in place, row (c, q) of it being the padded image shifted by that tap's offset.
     * Output positions run over whole padded rows, so the GEMM writes a slightly wider result into scratch; the
     * epilogue copies the valid positions into y, adding the bias and applying a fused ReLU on the way.
     */
    private static void implicitConv(EmitContext ctx, Node n, Dims d) {
        Node w = ctx.input(n, 1);
        implicitConv(ctx, n, d, ctx.buf(w), 0, null, null);
    }

    /**
     * The implicit-im2col convolution of node n's input 0 as the equivalent forward convolution {@code d}, with
     * filters [o, (c, t)] per group read from {@code filters} at {@code filtersAt} (plus group · o/G · kg), after
     * {@code prologue} (which may build them in col) has run once per call. With a {@code band}, K runs band-major
     * (see {@link Band}), the filters' columns too, and each tile multiplies only the rows of K its positions see.
     */
    private static void implicitConv(EmitContext ctx, Node n, Dims d, String filters, long filtersAt,
                                     CodeBlock prologue, Band band) {
        boolean banded = band != null;
        String name = ctx.methodName(n);
        String y = ctx.buf(n);
        Source src = Source.of(d);
        int r = d.r();
        int positions = gridPositions(d, src);
        long result = paddedCopyFloats(d, src);
        int packedSize = dev.convj.codegen.kernels.Gemm.packedASize(d.og(), d.kg());
        long packed = Math.max(implicitScratch(d), filtersAt + (long) d.o * d.kg());
        ctx.needCol(packed + (long) d.g.groups() * packedSize);
        String taps = ctx.constantArray(name.toUpperCase() + "_TAP", banded ? Band.tapOffsets(d, src)
                : tapOffsets(d, src));
        String rowFrom = banded ? ctx.constantArray(name.toUpperCase() + "_ROW_FROM", band.from()) : null;
        String rowTo = banded ? ctx.constantArray(name.toUpperCase() + "_ROW_TO", band.to()) : null;
        addIm2colMethod(ctx, name + "_pad", b -> src.emitCopy(b, d, 0, true));
        CodeBlock.Builder b = CodeBlock.builder().addStatement("float[] col = cols[worker]");
        if (prologue != null) {
            b.add(prologue);
        }
        b.add("// the filters packed for the micro-kernel once per call, at col[$L..)\n", packed);
        for (int group = 0; group < d.g.groups(); group++) {
            b.addStatement("$T.packA($L, $L, $L, $L, $L, col, $L)", ctx.gemmClass, d.og(), d.kg(), filters,
                    filtersAt + (long) group * d.og() * d.kg(), d.kg(), packed + (long) group * packedSize);
        }
        b.beginControlFlow("for (int n = from; n < to; n++)");
        boolean bias = n.inputs().size() == 3;
        boolean relu = ctx.plan.epilogueOf(n) >= 0;
        for (int group = 0; group < d.g.groups(); group++) {
            String xAt = Expr.add(Expr.mul("n", d.c * d.inSize()), group * d.cg() * d.inSize());
            b.addStatement("$L_pad($L, $L, col)", name, ctx.buf(ctx.input(n, 0)), xAt);
            String k = banded ? "(t0,c,t')" : "(c,t)";
            b.add("// y[o, q] = Σ_$L w[o, $L] · padded[q + $L[$L]] for the $L positions q of the padded grid:"
                    + " an implicit-im2col GEMM of $L×$L×$L into col[$L..)\n", k, k, taps, k, positions, d.og(),
                    positions, d.kg(), result);
            if (banded) {
                b.add("// K runs kernel row t0 by kernel row; grid row i sees only K rows [$L[i], $L[i]): the others"
                        + " meet padding rows\n", rowFrom, rowTo);
                b.addStatement("$T.multiplyImplicitBanded($L, $L, $L, col, $L, col, 0, $L, $L, $L, $L, col, $L, $L,"
                        + " gemm[worker])", ctx.gemmClass, d.og(), positions, d.kg(),
                        packed + (long) group * packedSize, taps, src.stride[0], rowFrom, rowTo, result, positions);
            } else {
                b.addStatement("$T.multiplyImplicit($L, $L, $L, col, $L, col, 0, $L, col, $L, $L, false, gemm[worker])",
                        ctx.gemmClass, d.og(), positions, d.kg(), packed + (long) group * packedSize, taps, result,
                        positions);
            }
            b.add("// the valid positions into $L$L\n", y, bias || relu ? ", " + epilogueName(bias, relu) : "");
            b.beginControlFlow("for (int o = 0; o < $L; o++)", d.og());
            if (bias) {
                b.addStatement("float bias = $L[$L]", ctx.buf(ctx.input(n, 2)), Expr.add("o", group * d.og()));
            }
            String from = Expr.add(String.valueOf(result), Expr.mul("o", positions));
            String to = Expr.add(Expr.add(Expr.mul("n", d.o * d.outSize()), Expr.mul("o", d.outSize())),
                    group * d.og() * d.outSize());
            int outStride = d.outSize();
            for (int a = 0; a < r - 1; a++) {
                outStride /= d.out.get(a);
                b.beginControlFlow("for (int o$L = 0; o$L < $L; o$L++)", a, a, d.out.get(a), a);
                from = Expr.add(from, Expr.mul("o" + a, src.stride[a]));
                to = Expr.add(to, Expr.mul("o" + a, outStride));
            }
            if (bias || relu) {
                b.addStatement("$T.copyOut(col, $L, $L, $L, $L, $L, $L)", ctx.gemmClass, from, y, to, d.out.get(r - 1),
                        bias ? "bias" : "0f", relu);
            } else {
                b.addStatement("$T.arraycopy(col, $L, $L, $L, $L)", System.class, from, y, to, d.out.get(r - 1));
            }
            for (int a = 0; a < r; a++) {
                b.endControlFlow();
            }
        }
        b.endControlFlow();
        ctx.loopMethod(n, name, n.shape().dim(0), true, b.build());
    }

    /**
     * A stride-1 transposed convolution (the input gradient of a stride-1 convolution) as a forward convolution:
     * dy zero-padded by d·(k − 1) − p on each side, correlated with the filters flipped in space and transposed
     * (channels of x become output channels), banded when K fits one block. Returns false when that padding would
     * be negative, or when the form would multiply so many more padding zeros than the per-tap GEMMs that those
     * cost less.
     */
    private static boolean implicitTranspose(EmitContext ctx, Node n, Dims d) {
        ConvGeometry g = d.g;
        int r = d.r();
        if (!g.stride().stream().allMatch(s -> s == 1)) {
            return false;
        }
        List<Integer> low = new java.util.ArrayList<>(), high = new java.util.ArrayList<>();
        for (int a = 0; a < r; a++) {
            int reach = g.dilation().get(a) * (d.k.get(a) - 1);
            low.add(reach - g.padLow().get(a));
            high.add(reach - g.padHigh().get(a)); // a crop of x (negative padding) pads dy more: zeros there
            if (low.get(a) < 0 || high.get(a) < 0) {
                return false;
            }
        }
        // The equivalent forward convolution: input dy (o channels), output x (c channels).
        ConvGeometry forward = new ConvGeometry(g.stride(), low, high, g.dilation(), g.groups());
        Dims e = new Dims(forward, d.out, d.in, d.k, d.o, d.c);
        // Multiply-adds per channel c: the implicit form's tiles take grid positions × K (banded: × the K rows each
        // tile's positions can see), the per-tap GEMMs dy's positions × o·taps. The implicit form runs them about
        // 2.5× faster (its K is o·taps deep, the per-tap GEMMs' only o): LeNet-5's conv2 input gradient measured
        // 1.05× faster unbanded at 2.52× the multiply-adds, 1.35× faster banded at 1.54×. Hence the factor 2.
        boolean bandable = e.kg() <= dev.convj.codegen.kernels.Gemm.KC_IMPLICIT && g.dilation().get(0) == 1;
        Band band = bandable ? Band.of(e) : null;
        int positions = gridPositions(e, Source.of(e));
        long work = band != null ? dev.convj.codegen.kernels.Gemm.bandedMultiplyAdds(positions,
                Source.of(e).stride[0], band.from(), band.to()) : (long) positions * e.kg();
        if (work > 2.0 * d.outSize() * e.kg()) {
            return false;
        }
        boolean banded = band != null;
        long at = implicitScratch(e);
        String w = ctx.buf(ctx.input(n, 1));
        int rest = d.taps() / d.k.get(0); // taps per kernel row
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
        implicitConv(ctx, n, e, "col", at, prologue, band);
        return true;
    }

    /** Positions of the padded image's grid that hold an output: out[0] rows of the padded row length. */
    private static int gridPositions(Dims d, Source src) {
        return d.out.get(0) * src.stride[0];
    }

    /**
     * Floats of col holding the padded image: reads reach max(tap) + positions + NR − 1 ≤ channels·size +
     * stride[0] + 63 (NR ≤ 64). The GEMM's result follows it.
     */
    private static long paddedCopyFloats(Dims d, Source src) {
        return src.floats(d.cg()) + src.stride[0] + 64;
    }

    /** Floats of col an implicit convolution uses for the padded image and its result, before any filters. */
    private static long implicitScratch(Dims d) {
        Source src = Source.of(d);
        return paddedCopyFloats(d, src) + (long) d.og() * gridPositions(d, src);
    }

    /** Offset of row (c, q) of the column matrix from its window's corner in {@code src}'s layout. */
    private static int[] tapOffsets(Dims d, Source src) {
        int[] tapOffset = new int[d.kg()];
        for (int row = 0; row < d.kg(); row++) {
            int c = row / d.taps(), t = row % d.taps(), offset = c * src.size;
            for (int a = d.r() - 1; a >= 0; a--) {
                offset += (t % d.k.get(a)) * d.g.dilation().get(a) * src.stride[a];
                t /= d.k.get(a);
            }
            tapOffset[row] = offset;
        }
        return tapOffset;
    }

    static void transpose(EmitContext ctx, Node n, ConvGeometry g) {
        Node dy = ctx.input(n, 0), w = ctx.input(n, 1);
        Dims d = new Dims(g, n.shape().tail(2), dy.shape().tail(2), w.shape().tail(2), n.shape().dim(1),
                dy.shape().dim(1));
        if (implicitTranspose(ctx, n, d)) {
            return;
        }
        if (g.stride().stream().allMatch(s -> s == 1)) {
            tapwiseTranspose(ctx, n, d);
            return;
        }
        String name = ctx.methodName(n);
        String x = ctx.buf(n);
        // col[0..) the column matrix (col2im reads it there), then one image's dy with room for the kernel's reads
        // past its last row, then wᵀ packed for the micro-kernel once per call.
        long dyAt = (long) d.kg() * d.outSize();
        long packedAt = dyAt + (long) d.og() * d.outSize() + 64;
        int packedSize = dev.convj.codegen.kernels.Gemm.packedASize(d.kg(), d.og());
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
                        d.c * d.inSize(), d.c * d.inSize());
        for (int group = 0; group < g.groups(); group++) {
            b.addStatement("$T.arraycopy($L, $L, col, $L, $L)", System.class, ctx.buf(dy),
                    Expr.add(Expr.mul("n", d.o * d.outSize()), group * d.og() * d.outSize()), dyAt,
                    d.og() * d.outSize());
            b.add("// col[(c,q), p] = Σ_o w[o, (c,q)] · dy[o, p]: a GEMM of $L×$L×$L, then scattered back\n",
                    d.kg(), d.outSize(), d.og());
            b.addStatement("$T.multiplyImplicit($L, $L, $L, col, $L, col, $L, $L, col, 0, $L, false, gemm[worker])",
                    ctx.gemmClass, d.kg(), d.outSize(), d.og(), packedAt + (long) group * packedSize, dyAt, dyRows,
                    d.outSize());
            b.addStatement("$L_col2im(col, $L, n * $L + $L)", name, x, d.c * d.inSize(), group * d.cg() * d.inSize());
        }
        if (n.inputs().size() == 3) {
            b.beginControlFlow("for (int c = 0; c < $L; c++)", d.c)
                    .addStatement("float bias = $L[c]", ctx.buf(ctx.input(n, 2)))
                    .addStatement("int at = n * $L + c * $L", d.c * d.inSize(), d.inSize())
                    .beginControlFlow("for (int i = at; i < at + $L; i++)", d.inSize())
                    .addStatement("$L[i] += bias", x)
                    .endControlFlow().endControlFlow();
        }
        b.endControlFlow();
        ctx.loopMethod(n, name, n.shape().dim(0), true, b.build());
    }

    /**
     * A stride-1 transposed convolution whose implicit form would multiply mostly padding (thin images, big
     * kernels), as one small GEMM per kernel tap t: dxPad[c, q + tap(t)] += Σ_o w[o, c, t] · dy[o, q] over the
     * positions q of the padded x grid, dy spread onto that grid (zeros where a padded row holds no output). The
     * GEMMs accumulate straight into a zero-padded copy of x — no column matrix, no scatter loop — whose valid
     * region is copied out (+ bias) at the end. Positions that wrap past a row's end receive zeros only.
     */
    private static void tapwiseTranspose(EmitContext ctx, Node n, Dims d) {
        String name = ctx.methodName(n);
        String x = ctx.buf(n);
        Node dy = ctx.input(n, 0), w = ctx.input(n, 1);
        boolean bias = n.inputs().size() == 3;
        Source src = Source.of(d);
        // The GEMMs run over whole panels: dy's grid rows are padded with zeros to a multiple of the kernel's NR
        // columns, so no edge tile goes through scratch.
        int nr = Gemm.NR, r = d.r(), grid = (gridPositions(d, src) + nr - 1) / nr * nr, taps = d.taps();
        // col: dy's grid (og rows of `grid`), the padded x (cg planes, slack for the wrapped last rows), the
        // filters per tap [t][c][o], and the same packed for the micro-kernel.
        long gridAt = 0, dxAt = (long) d.og() * grid + 64;
        long dxFloats = src.floats(d.cg()) + src.stride[0] + 80;
        long filtersAt = dxAt + dxFloats;
        long packedAt = filtersAt + (long) taps * d.cg() * d.og();
        int packedSize = dev.convj.codegen.kernels.Gemm.packedASize(d.cg(), d.og());
        ctx.needCol(packedAt + (long) taps * packedSize);
        int[] rows = new int[d.og()];
        for (int o = 0; o < d.og(); o++) {
            rows[o] = o * grid;
        }
        String dyRows = ctx.constantArray(name.toUpperCase() + "_DY_ROW", rows);
        // channel 0's rows of the tap table: the spatial offset of each tap
        String tapName = ctx.constantArray(name.toUpperCase() + "_TAP",
                java.util.Arrays.copyOf(tapOffsets(d, src), taps));
        CodeBlock.Builder b = CodeBlock.builder().addStatement("float[] col = cols[worker]");
        b.add("// dy's grid at col[$L..) is zero where a padded row holds no output\n", gridAt);
        b.addStatement("$T.fill(col, $L, $L, 0f)", java.util.Arrays.class, gridAt, dxAt);
        b.beginControlFlow("for (int g = 0; g < $L; g++)", d.g.groups());
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
        spreadOntoGrid(b, d, src, ctx.buf(dy),
                Expr.add(Expr.mul("n", d.o * d.outSize()), Expr.mul("g", d.og() * d.outSize())), gridAt, grid);
        b.addStatement("$T.fill(col, $L, $L, 0f)", java.util.Arrays.class, dxAt, dxAt + dxFloats);
        b.add("// dxPad[c, q + $L[t]] += Σ_o wt[c, o] · dy[o, q]: $L GEMMs of $L×$L×$L, accumulating in place\n",
                tapName, taps, d.cg(), grid, d.og());
        b.beginControlFlow("for (int t = 0; t < $L; t++)", taps)
                .addStatement("$T.multiplyImplicit($L, $L, $L, col, $L + t * $L, col, $L, $L, col, $L + $L[t], $L, true,"
                                + " gemm[worker])", ctx.gemmClass, d.cg(), grid, d.og(), packedAt, packedSize, gridAt,
                        dyRows, dxAt, tapName, src.size)
                .endControlFlow();
        b.add("// the valid region of dxPad into $L$L\n", x, bias ? ", + bias" : "");
        b.beginControlFlow("for (int c = 0; c < $L; c++)", d.cg());
        if (bias) {
            b.addStatement("float bias = $L[g * $L + c]", ctx.buf(ctx.input(n, 2)), d.cg());
        }
        String pad = Expr.add(String.valueOf(dxAt), Expr.mul("c", src.size));
        String out = Expr.add(Expr.add(Expr.mul("n", d.c * d.inSize()), Expr.mul("g", d.cg() * d.inSize())),
                Expr.mul("c", d.inSize()));
        int inStride = d.inSize();
        for (int a = 0; a < r - 1; a++) {
            inStride /= d.in.get(a);
            b.beginControlFlow("for (int i$L = 0; i$L < $L; i$L++)", a, a, d.in.get(a), a);
            pad = Expr.add(pad, Expr.mul(Expr.add("i" + a, d.g.padLow().get(a)), src.stride[a]));
            out = Expr.add(out, Expr.mul("i" + a, inStride));
        }
        pad = Expr.add(pad, d.g.padLow().get(r - 1));
        if (bias) {
            b.addStatement("$T.copyOut(col, $L, $L, $L, $L, bias, false)", ctx.gemmClass, pad, x, out,
                    d.in.get(r - 1));
        } else {
            b.addStatement("$T.arraycopy(col, $L, $L, $L, $L)", System.class, pad, x, out, d.in.get(r - 1));
        }
        for (int a = 0; a < r; a++) {
            b.endControlFlow();
        }
        b.endControlFlow().endControlFlow();
        ctx.loopMethod(n, name, n.shape().dim(0), true, b.build());
    }

    static void weightGrad(EmitContext ctx, Node n, ConvGeometry g) {
        Node x = ctx.input(n, 0), dy = ctx.input(n, 1);
        Dims d = new Dims(g, x.shape().tail(2), dy.shape().tail(2), n.shape().tail(2), x.shape().dim(1),
                dy.shape().dim(1));
        String name = ctx.methodName(n);
        int size = n.shape().size();
        ctx.needPartial(size);
        boolean tapwise = tapwiseWeightGrad(d);
        // Each dot-product tile ends in twelve horizontal reductions; over grids shorter than this they cost more
        // than the column matrix they save (in profiles of LeNet-5: conv2, 144 positions, 1.7× slower; conv1, 896
        // positions, 2.6× faster; the small VGG's training step ran 9% slower with its 224-position grids too).
        boolean implicit = !tapwise && !d.pointwise() && g.stride().stream().allMatch(s -> s == 1)
                && gridLength(d) >= MIN_DOT_LENGTH;
        CodeBlock.Builder b = CodeBlock.builder()
                .add("// Each thread sums its images into its own partial; run() adds the partials in thread order.\n")
                .addStatement("float[] acc = team.size() == 1 ? $L : partials[worker]", ctx.buf(n));
        if (!tapwise) { // the tap-wise form assigns every element of acc once, after its images
            b.addStatement("$T.fill(acc, 0, $L, 0f)", java.util.Arrays.class, size);
        }
        if (tapwise) {
            tapwiseWeightGradPrologue(ctx, name, d, b);
        } else if (implicit) {
            implicitWeightGradPrologue(ctx, name, d, b);
        } else if (!d.pointwise()) {
            b.addStatement("float[] col = cols[worker]");
            ctx.needCol(packedBound(d.outSize(), d.kg()) + (padded(d) ? Source.of(d).floats(d.cg()) : 0));
            addPackedIm2col(ctx, name + "_im2col", d);
        }
        b.add("// items are threads here: thread w sums images [chunkStart(w), chunkStart(w + 1))\n");
        b.addStatement("int first = $T.chunkStart($L, team.size(), from), last = $T.chunkStart($L, team.size(), to)",
                ctx.team, x.shape().dim(0), ctx.team, x.shape().dim(0));
        b.beginControlFlow("for (int n = first; n < last; n++)");
        for (int group = 0; group < g.groups(); group++) {
            String xAt = Expr.add(Expr.mul("n", d.c * d.inSize()), group * d.cg() * d.inSize());
            String dyAt = Expr.add(Expr.mul("n", d.o * d.outSize()), group * d.og() * d.outSize());
            if (tapwise) {
                tapwiseWeightGrad(ctx, n, name, d, b, xAt, dyAt, group);
            } else if (implicit) {
                implicitWeightGrad(ctx, n, name, d, b, xAt, dyAt, group);
            } else if (d.pointwise()) {
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
        ctx.loopMethod(n, name, "team.size()", true, b.build());
        ctx.run.beginControlFlow("if (team.size() > 1)")
                .addStatement("sumPartials($L, $L)", ctx.buf(n), size)
                .endControlFlow();
    }

    /**
     * Whether a weight gradient runs as one GEMM per kernel tap over a channels-last copy of the image: stride 1,
     * and channels enough to fill the micro-kernel's NR columns. Each GEMM reads its B in place and the
     * packed dy is shared by all taps, so an image costs two small copies and no column matrix; the dot products'
     * seven checked loads per twelve multiply-adds and twelve horizontal sums per tile are gone too (the small
     * VGG's 32- and 64-channel layers).
     */
    private static boolean tapwiseWeightGrad(Dims d) {
        return !d.pointwise() && d.g.stride().stream().allMatch(s -> s == 1) && d.cg() >= Gemm.NR;
    }

    /** Where a tap-wise weight gradient keeps its parts in col. */
    private record TapwiseLayout(int grid, long gridAt, long packedAt, long dwAt, long end) {
        static TapwiseLayout of(Dims d) {
            Source src = Source.of(d);
            int grid = gridPositions(d, src);
            int[] taps = tapOffsets(d, src);
            int reach = java.util.Arrays.stream(taps, 0, d.taps()).max().orElse(0);
            // B's rows reach position grid − 1 + reach; the copy's own positions end at size + tail
            int positions = Math.max(src.size + src.tail, grid + reach);
            long gridAt = (long) positions * d.cg();
            long packedAt = gridAt + (long) d.og() * grid;
            long dwAt = packedAt + dev.convj.codegen.kernels.Gemm.packedASize(d.og(), grid);
            long end = dwAt + (long) d.g.groups() * d.taps() * d.og() * d.cg();
            return new TapwiseLayout(grid, gridAt, packedAt, dwAt, end);
        }
    }

    /**
     * The scratch of a tap-wise weight gradient, zeroed once per call (each image overwrites the same positions):
     * the padded image channels-last at col[0..), dy spread over the padded grid, dy packed for the micro-kernel,
     * and the per-tap sums dwT[g][t][o][c].
     */
    private static void tapwiseWeightGradPrologue(EmitContext ctx, String name, Dims d, CodeBlock.Builder b) {
        TapwiseLayout at = TapwiseLayout.of(d);
        Source src = Source.of(d);
        ctx.needCol(at.end());
        int[] taps = java.util.Arrays.copyOf(tapOffsets(d, src), d.taps());
        for (int t = 0; t < taps.length; t++) {
            taps[t] *= d.cg(); // positions to floats of the channels-last copy
        }
        ctx.constantArray(name.toUpperCase() + "_TAP", taps);
        addIm2colMethod(ctx, name + "_channels_last", c -> emitChannelsLastCopy(c, d, src));
        b.addStatement("float[] col = cols[worker]");
        b.add("// padding and grid positions without an output stay zero; the per-tap sums start from zero\n");
        b.addStatement("$T.fill(col, 0, $L, 0f)", java.util.Arrays.class, at.end());
    }

    /** Emits the copy of one group's channels into col, zero-padded and channels-last: col[p · cg + c]. */
    private static void emitChannelsLastCopy(CodeBlock.Builder b, Dims d, Source src) {
        int r = d.r();
        b.add("// channel c of padded position p at col[p·$L + c]: the rows of each tap's GEMM are positions\n", d.cg());
        b.beginControlFlow("for (int c = 0; c < $L; c++)", d.cg());
        String from = Expr.add("off", Expr.mul("c", d.inSize()));
        String to = "c";
        int inStride = d.inSize();
        for (int a = 0; a < r; a++) {
            inStride /= d.in.get(a);
            b.beginControlFlow("for (int i$L = 0; i$L < $L; i$L++)", a, a, d.in.get(a), a);
            from = Expr.add(from, Expr.mul("i" + a, inStride));
            to = Expr.add(to, Expr.mul(Expr.add("i" + a, d.g.padLow().get(a)), src.stride[a] * d.cg()));
        }
        b.addStatement("col[$L] = x[$L]", to, from);
        for (int a = 0; a < r; a++) {
            b.endControlFlow();
        }
        b.endControlFlow();
    }

    /**
     * One image of a tap-wise weight gradient: dwT[t][o, c] += Σ_q dy[o, q] · x[q + tap(t), c] over the padded
     * grid's positions q, one GEMM of og×cg×grid per tap, B read in place from the channels-last copy.
     */
    private static void tapwiseWeightGrad(EmitContext ctx, Node n, String name, Dims d, CodeBlock.Builder b,
                                          String xAt, String dyAt, int group) {
        TapwiseLayout at = TapwiseLayout.of(d);
        Source src = Source.of(d);
        String taps = name.toUpperCase() + "_TAP";
        long dwAt = at.dwAt() + (long) group * d.taps() * d.og() * d.cg();
        b.addStatement("$L_channels_last($L, $L, col)", name, ctx.buf(ctx.input(n, 0)), xAt);
        b.add("// dy[o] spread over the padded grid at col[$L + o·$L..), then packed at col[$L..)\n", at.gridAt(),
                at.grid(), at.packedAt());
        spreadOntoGrid(b, d, src, ctx.buf(ctx.input(n, 1)), dyAt, at.gridAt(), at.grid());
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
    private static void tapwiseWeightGradEpilogue(Dims d, CodeBlock.Builder b) {
        TapwiseLayout at = TapwiseLayout.of(d);
        b.add("// the per-tap sums into dw's layout [(g, o), c, t]\n");
        b.beginControlFlow("for (int g = 0; g < $L; g++)", d.g.groups())
                .beginControlFlow("for (int t = 0; t < $L; t++)", d.taps())
                .beginControlFlow("for (int o = 0; o < $L; o++)", d.og())
                .beginControlFlow("for (int c = 0; c < $L; c++)", d.cg())
                .addStatement("acc[((g * $L + o) * $L + c) * $L + t] = col[$L + ((g * $L + t) * $L + o) * $L + c]",
                        d.og(), d.cg(), d.taps(), at.dwAt(), d.taps(), d.og(), d.cg())
                .endControlFlow().endControlFlow().endControlFlow().endControlFlow();
    }

    /** The shortest padded grid whose weight gradient is computed as dot products read in place. */
    private static final int MIN_DOT_LENGTH = 512;

    /** Grid positions of an implicit weight gradient, rounded up to a whole number of vectors of any width. */
    private static int gridLength(Dims d) {
        return (gridPositions(d, Source.of(d)) + 15) / 16 * 16;
    }

    /**
     * The scratch of a stride-1 weight gradient read in place: the padded image at col[0..) with zeros behind it,
     * then dy spread over the padded grid at col[{@link #paddedCopyFloats}..), one row of {@link #gridLength} per
     * output channel. Zeroed once per call: each image overwrites the same positions.
     */
    private static void implicitWeightGradPrologue(EmitContext ctx, String name, Dims d, CodeBlock.Builder b) {
        Source src = Source.of(d);
        long gridAt = paddedCopyFloats(d, src);
        ctx.needCol(gridAt + (long) d.og() * gridLength(d));
        addIm2colMethod(ctx, name + "_pad", c -> src.emitCopy(c, d, 0, true));
        ctx.constantArray(name.toUpperCase() + "_TAP", tapOffsets(d, src));
        b.addStatement("float[] col = cols[worker]");
        b.add("// dy's grid at col[$L..) is zero where a padded row holds no output, and so is the image's tail\n",
                gridAt);
        b.addStatement("$T.fill(col, 0, $L, 0f)", java.util.Arrays.class, gridAt + (long) d.og() * gridLength(d));
    }

    /**
     * One image of a stride-1 weight gradient, no column matrix: dw[o, (c,t)] += Σ_q dy[o, q] · padded[c, q +
     * tap(t)] over the positions q of the padded grid, dy being zero where a padded row holds no output.
     */
    private static void implicitWeightGrad(EmitContext ctx, Node n, String name, Dims d, CodeBlock.Builder b,
                                           String xAt, String dyAt, int group) {
        Source src = Source.of(d);
        int length = gridLength(d);
        long gridAt = paddedCopyFloats(d, src);
        String taps = name.toUpperCase() + "_TAP";
        Node dy = ctx.input(n, 1);
        b.addStatement("$L_pad($L, $L, col)", name, ctx.buf(ctx.input(n, 0)), xAt);
        b.add("// dy[o] spread over the padded grid: row o at col[$L + o·$L..)\n", gridAt, length);
        spreadOntoGrid(b, d, src, ctx.buf(dy), dyAt, gridAt, length);
        b.add("// dw[o, (c,t)] += Σ_q dy[o, q] · padded[q + $L[(c,t)]]: $L×$L dot products of length $L\n", taps,
                d.og(), d.kg(), length);
        b.addStatement("$T.multiplyRows($L, $L, $L, col, $L, $L, col, 0, $L, acc, $L, $L, gemm[worker])",
                ctx.gemmClass, d.og(), d.kg(), length, gridAt, length, taps, (long) group * d.og() * d.kg(), d.kg());
    }

    /**
     * Emits the copy of dy (og channels from {@code dy[dyAt..)}, dense) onto the padded image's grid in col: row o
     * at col[gridAt + o · rowLength..), output position (o0, …) at Σ o_a · stride_a of the padded image. The other
     * grid positions keep what they held (zeros, cleared once per call).
     */
    private static void spreadOntoGrid(CodeBlock.Builder b, Dims d, Source src, String dy, String dyAt, long gridAt,
                                       int rowLength) {
        int r = d.r();
        b.beginControlFlow("for (int o = 0; o < $L; o++)", d.og());
        String from = Expr.add(dyAt, Expr.mul("o", d.outSize()));
        String to = Expr.add(String.valueOf(gridAt), Expr.mul("o", rowLength));
        int outStride = d.outSize();
        for (int a = 0; a < r - 1; a++) {
            outStride /= d.out.get(a);
            b.beginControlFlow("for (int o$L = 0; o$L < $L; o$L++)", a, a, d.out.get(a), a);
            from = Expr.add(from, Expr.mul("o" + a, outStride));
            to = Expr.add(to, Expr.mul("o" + a, src.stride[a]));
        }
        b.addStatement("$T.arraycopy($L, $L, col, $L, $L)", System.class, dy, from, to, d.out.get(r - 1));
        for (int a = 0; a < r; a++) {
            b.endControlFlow();
        }
    }

    /** Floats of a k×n matrix packed in panels of up to 64 columns (the widest NR of any vector width). */
    private static long packedBound(int k, int n) {
        return (long) (n + 63) / 64 * 64 * k;
    }

    /** Whether any axis is zero-padded. */
    private static boolean padded(Dims d) {
        for (int a = 0; a < d.r(); a++) {
            if (d.g.padLow().get(a) != 0 || padAfter(d, a) != 0) {
                return true;
            }
        }
        return false;
    }

    /**
     * Zeros after axis {@code a} in a padded copy. A negative amount crops: no output reads the image's last
     * positions, so the copy keeps the whole image and pads nothing after it (sized for −p, it would overrun).
     */
    private static int padAfter(Dims d, int a) {
        return Math.max(0, d.g.padHigh().get(a));
    }

    /** Extent of axis {@code a} of one channel after zero padding. */
    private static int paddedExtent(Dims d, int a) {
        return d.in.get(a) + d.g.padLow().get(a) + padAfter(d, a);
    }

    /**
     * Emits {@code name(float[] x, int off, float[] col)} writing colᵀ for one group of one image, packed for the
     * GEMM micro-kernel in panels of NR rows of col: element (row, p) at [row / NR][p][row % NR]. Position-major,
     * so every store is sequential (row-major stores land 64 bytes apart and miss L1 on each one). When the
     * convolution pads, the image's channels are first copied into a zero-padded block behind the panels, so the
     * gather needs no bounds tests; each row's offset from the window's corner comes from a constant table.
     */
    private static void addPackedIm2col(EmitContext ctx, String name, Dims d) {
        int r = d.r(), last = r - 1, outLast = d.out.get(last);
        Source src = Source.of(d);
        String taps = ctx.constantArray(name.toUpperCase() + "_TAP", tapOffsets(d, src));
        // The padded copy sits behind the largest packed colᵀ any vector width needs.
        CodeBlock.Builder b = CodeBlock.builder();
        String[] from = src.emitCopy(b, d, packedBound(d.outSize(), d.kg()), false);
        String source = from[0], base = from[1];
        b.add("// panel j holds rows [j·NR, j·NR + NR) of col; row q of a window sits $L[q] past its corner.\n", taps);
        b.add("// One output row at a time: reads run along the image row, and the NR-strided writes stay in L1.\n");
        b.beginControlFlow("for (int q0 = 0, dst = 0; q0 < $L; q0 += NR)", d.kg());
        b.addStatement("int rows = Math.min(NR, $L - q0)", d.kg());
        String corner = base;
        for (int a = 0; a < last; a++) {
            b.beginControlFlow("for (int o$L = 0; o$L < $L; o$L++)", a, a, d.out.get(a), a);
            corner = Expr.add(corner, Expr.mul("o" + a, d.g.stride().get(a) * src.stride[a]));
        }
        b.addStatement("int corner = $L", corner);
        b.beginControlFlow("for (int q = 0; q < rows; q++)")
                .addStatement("int at = corner + $L[q0 + q]", taps)
                .beginControlFlow("for (int o = 0; o < $L; o++)", outLast)
                .addStatement("col[dst + o * NR + q] = $L[at + $L]", source, Expr.mul("o", d.g.stride().get(last)))
                .endControlFlow()
                .endControlFlow();
        b.beginControlFlow("for (int q = rows; q < NR; q++)")
                .beginControlFlow("for (int o = 0; o < $L; o++)", outLast)
                .addStatement("col[dst + o * NR + q] = 0f")
                .endControlFlow()
                .endControlFlow();
        b.addStatement("dst += $L * NR", outLast);
        for (int a = 0; a < last; a++) {
            b.endControlFlow();
        }
        b.endControlFlow();
        addIm2colMethod(ctx, name, b);
    }

    /**
     * Emits {@code name(float[] x, int off, float[] col)} writing the rows of the column matrix col[(c, q), p] for
     * one group of one image: each row is a run of output positions, copied with {@code System.arraycopy} at unit
     * stride. Padding comes from a zero-padded copy of the image behind the matrix, so nothing tests bounds.
     */
    private static void addRowIm2col(EmitContext ctx, String name, Dims d) {
        int r = d.r(), last = r - 1;
        Source src = Source.of(d);
        CodeBlock.Builder b = CodeBlock.builder();
        String[] from = src.emitCopy(b, d, (long) d.kg() * d.outSize(), false);
        String source = from[0];
        b.add("// row (c, q) of col holds x[c, o·s + q·d] (in padded coordinates) for every output position o\n");
        b.beginControlFlow("for (int c = 0; c < $L; c++)", d.cg());
        String tap = "c", corner = Expr.add(from[1], Expr.mul("c", src.size));
        for (int a = 0; a < r; a++) {
            b.beginControlFlow("for (int k$L = 0; k$L < $L; k$L++)", a, a, d.k.get(a), a);
            tap = Expr.mulAdd(tap, d.k.get(a), "k" + a);
            corner = Expr.add(corner, Expr.mul("k" + a, d.g.dilation().get(a) * src.stride[a]));
        }
        String at = Expr.mul(tap, d.outSize()), outer = "0";
        for (int a = 0; a < last; a++) {
            b.beginControlFlow("for (int o$L = 0; o$L < $L; o$L++)", a, a, d.out.get(a), a);
            corner = Expr.add(corner, Expr.mul("o" + a, d.g.stride().get(a) * src.stride[a]));
            outer = Expr.mulAdd(outer, d.out.get(a), "o" + a);
        }
        at = Expr.add(at, Expr.mul(outer, d.out.get(last)));
        int s = d.g.stride().get(last);
        if (s == 1) {
            b.addStatement("$T.arraycopy($L, $L, col, $L, $L)", System.class, source, corner, at, d.out.get(last));
        } else {
            b.addStatement("int corner = $L, at = $L", corner, at);
            b.beginControlFlow("for (int o = 0; o < $L; o++)", d.out.get(last))
                    .addStatement("col[at + o] = $L[corner + o * $L]", source, s).endControlFlow();
        }
        // the output loops of every axis but the last, the kernel loops, the channel loop
        for (int a = 0; a < 2 * r; a++) {
            b.endControlFlow();
        }
        addIm2colMethod(ctx, name, b);
    }

    private static void addIm2colMethod(EmitContext ctx, String name,
                                        java.util.function.Consumer<CodeBlock.Builder> body) {
        CodeBlock.Builder b = CodeBlock.builder();
        body.accept(b);
        addIm2colMethod(ctx, name, b);
    }

    private static void addIm2colMethod(EmitContext ctx, String name, CodeBlock.Builder body) {
        ctx.type.addMethod(MethodSpec.methodBuilder(name).addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .addParameter(float[].class, "x").addParameter(int.class, "off").addParameter(float[].class, "col")
                .addCode(body.build()).build());
    }

    /**
     * The rows of K that each row of an implicit convolution's output grid can see (along the first spatial axis),
     * with K ordered band-major, (t0, c, t') for kernel row t0 and the rest t' of the tap: grid row i reads padded
     * rows i + t0, of which only [low, low + in) hold the image, so K rows [from[i], to[i]) = the kernel rows t0
     * that reach them, × c, × t'. An empty band is [kg, 0). Stride 1 and dilation 1 along that axis.
     */
    private record Band(int[] from, int[] to) {
        static Band of(Dims d) {
            int rows = d.out.get(0), low = d.g.padLow().get(0), in = d.in.get(0), k0 = d.k.get(0);
            int perRow = d.kg() / k0; // K rows per kernel row: c × t'
            int[] from = new int[rows], to = new int[rows];
            for (int i = 0; i < rows; i++) {
                int first = Math.max(0, low - i), last = Math.min(k0 - 1, low + in - 1 - i);
                from[i] = first <= last ? first * perRow : d.kg();
                to[i] = first <= last ? (last + 1) * perRow : 0;
            }
            return new Band(from, to);
        }


        /** Offset of band-major row (t0, c, t') of the column matrix from its window's corner. */
        static int[] tapOffsets(Dims d, Source src) {
            int[] byChannel = ConvEmitter.tapOffsets(d, src); // (c, t) order
            int k0 = d.k.get(0), rest = d.taps() / k0, cg = d.cg();
            int[] offsets = new int[d.kg()];
            for (int t0 = 0, row = 0; t0 < k0; t0++) {
                for (int c = 0; c < cg; c++) {
                    for (int t = 0; t < rest; t++, row++) {
                        offsets[row] = byChannel[c * d.taps() + t0 * rest + t];
                    }
                }
            }
            return offsets;
        }
    }

    /**
     * Where im2col reads one image from: x itself, or a zero-padded copy when the convolution pads. Along the last
     * axis the padded rows share their zeros: a row's low padding is also the previous row's high padding, so a row
     * is about max(low, high) wider than the image rather than low + high (3×3 "same" on 14×14: rows of 15, not 16).
     * Reads of every valid output stay in zeros or their own row; those of the last row reach {@code tail} floats
     * past the copy, which is zeroed with it. Grids over padded rows then hold fewer positions without an output.
     */
    private record Source(boolean padded, int[] extent, int[] stride, int size, int tail) {
        static Source of(Dims d) {
            boolean padded = ConvEmitter.padded(d);
            int r = d.r(), last = r - 1;
            int[] extent = new int[r], stride = new int[r];
            int size = 1;
            for (int a = last; a >= 0; a--) {
                extent[a] = !padded ? d.in.get(a) : a < last ? paddedExtent(d, a) : d.in.get(a) + sharedGap(d);
                stride[a] = size;
                size *= extent[a];
            }
            int tail = padded ? paddedExtent(d, last) - extent[last] : 0;
            return new Source(padded, extent, stride, size, tail);
        }

        /**
         * Zeros between two rows along the last axis: at least each side's padding, and enough that a row is as
         * long as the output row, so that output positions on the grid never fall on the next row's (a 1×1 kernel
         * with padding 1 has outputs two wider than the image).
         */
        private static int sharedGap(Dims d) {
            int last = d.r() - 1, low = d.g.padLow().get(last), high = padAfter(d, last);
            int reach = d.g.dilation().get(last) * (d.k.get(last) - 1);
            return Math.max(Math.max(low, high), low + high - reach);
        }

        /** Floats the padded copy of {@code channels} channels covers, the zeroed tail included. */
        long floats(int channels) {
            return (long) channels * size + tail;
        }

        /**
         * Emits the padded copy into col[padAt..) when the convolution pads or {@code always}; returns the array
         * im2col reads and the offset of channel 0 in it.
         */
        String[] emitCopy(CodeBlock.Builder b, Dims d, long padAt, boolean always) {
            if (!padded && !always) {
                return new String[] {"x", "off"};
            }
            int r = d.r();
            if (padded) {
                b.add("// the image's channels, zero-padded, at col[$L..): the copies below test no bounds\n", padAt);
                b.addStatement("$T.fill(col, $L, $L, 0f)", java.util.Arrays.class, padAt, padAt + floats(d.cg()));
            } else {
                b.add("// the image's channels at col[$L..), with room behind them for reads past the last row\n",
                        padAt);
            }
            b.beginControlFlow("for (int c = 0; c < $L; c++)", d.cg());
            String from = Expr.add("off", Expr.mul("c", d.inSize()));
            String to = Expr.add(String.valueOf(padAt), Expr.mul("c", size));
            int inStride = d.inSize();
            for (int a = 0; a < r - 1; a++) {
                inStride /= d.in.get(a);
                b.beginControlFlow("for (int i$L = 0; i$L < $L; i$L++)", a, a, d.in.get(a), a);
                from = Expr.add(from, Expr.mul("i" + a, inStride));
                to = Expr.add(to, Expr.mul(Expr.add("i" + a, d.g.padLow().get(a)), stride[a]));
            }
            b.addStatement("$T.arraycopy(x, $L, col, $L, $L)", System.class, from,
                    Expr.add(to, d.g.padLow().get(r - 1)), d.in.get(r - 1));
            for (int a = 0; a < r; a++) {
                b.endControlFlow();
            }
            return new String[] {"col", String.valueOf(padAt)};
        }
    }

    /**
     * Emits {@code name(float[] col, float[] x, int off)}, col2im: adds each row of the column matrix col[(c, q), p]
     * back onto the input positions its receptive fields read. Every extent is a constant; along the innermost axis
     * the valid output positions of each kernel tap are precomputed, so the loops test nothing.
     */
    private static void addCol2im(EmitContext ctx, String name, Dims d) {
        int r = d.r();
        int last = r - 1;
        int outLast = d.out.get(last), inLast = d.in.get(last);
        int s = d.g.stride().get(last), pl = d.g.padLow().get(last), dil = d.g.dilation().get(last);
        int kLast = d.k.get(last);
        int[] lo = new int[kLast], hi = new int[kLast];
        for (int t = 0; t < kLast; t++) {
            // Valid o along the innermost axis: 0 ≤ o·s − p + t·d < n.
            lo[t] = Math.min(outLast, Math.max(0, Math.floorDiv(pl - t * dil + s - 1, s)));
            hi[t] = Math.max(lo[t], Math.min(outLast, Math.floorDiv(inLast - 1 + pl - t * dil, s) + 1));
        }
        String loName = ctx.constantArray(name.toUpperCase() + "_LO", lo);
        String hiName = ctx.constantArray(name.toUpperCase() + "_HI", hi);
        CodeBlock.Builder b = CodeBlock.builder();
        b.add("// row (c, q) adds onto x[c, o·s − p + q·d] for every output position o; padding takes nothing\n");
        b.beginControlFlow("for (int c = 0; c < $L; c++)", d.cg());
        String tap = "c";
        for (int a = 0; a < r; a++) {
            b.beginControlFlow("for (int k$L = 0; k$L < $L; k$L++)", a, a, d.k.get(a), a);
            tap = Expr.mulAdd(tap, d.k.get(a), "k" + a);
        }
        b.addStatement("int row = $L", tap);
        String inner = Expr.mul("c", d.inSize());
        String outer = "0";
        StringBuilder inside = new StringBuilder();
        int inStride = d.inSize();
        for (int a = 0; a < last; a++) {
            inStride /= d.in.get(a);
            b.beginControlFlow("for (int o$L = 0; o$L < $L; o$L++)", a, a, d.out.get(a), a);
            b.addStatement("int i$L = $L", a, Expr.add(Expr.add(Expr.mul("o" + a, d.g.stride().get(a)),
                    -d.g.padLow().get(a)), Expr.mul("k" + a, d.g.dilation().get(a))));
            inside.append(inside.length() == 0 ? "" : " && ").append("i").append(a).append(" >= 0 && i").append(a)
                    .append(" < ").append(d.in.get(a));
            inner = Expr.add(inner, Expr.mul("i" + a, inStride));
            outer = Expr.mulAdd(outer, d.out.get(a), "o" + a);
        }
        b.addStatement("int at = $L", Expr.mul(outer, outLast));
        if (last > 0) {
            b.beginControlFlow("if (!($L))", inside);
            b.addStatement("continue");
            b.endControlFlow();
        }
        b.addStatement("int src = $L", Expr.add(Expr.add("off + " + inner, Expr.mul("k" + last, dil)), -pl));
        b.addStatement("int lo = $L[k$L], hi = $L[k$L]", loName, last, hiName, last);
        String xi = Expr.add("src", Expr.mul("o", s));
        String ci = "row * " + d.outSize() + " + at + o";
        b.beginControlFlow("for (int o = lo; o < hi; o++)").addStatement("x[$L] += col[$L]", xi, ci).endControlFlow();
        for (int a = 0; a < last; a++) {
            b.endControlFlow();
        }
        for (int a = 0; a < r; a++) {
            b.endControlFlow();
        }
        b.endControlFlow();
        ctx.type.addMethod(MethodSpec.methodBuilder(name).addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .addParameter(float[].class, "col").addParameter(float[].class, "x").addParameter(int.class, "off")
                .addCode(b.build()).build());
    }
}
