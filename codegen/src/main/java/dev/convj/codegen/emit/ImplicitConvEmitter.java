package dev.convj.codegen.emit;

import static dev.convj.codegen.emit.ConvColumns.*;

import com.palantir.javapoet.CodeBlock;
import dev.convj.codegen.kernels.Gemm;
import dev.convj.codegen.plan.ConvAlgorithm;
import dev.convj.codegen.plan.ConvCostModel;
import dev.convj.codegen.plan.ConvDims;
import dev.convj.codegen.plan.KernelBand;
import dev.convj.codegen.plan.PaddedImage;
import dev.convj.graph.Node;
import dev.convj.graph.ops.ConvGeometry;

/**
 * A stride-1 convolution without a column matrix: the image is copied (zero-padded) into scratch, and the GEMM reads
 * its column matrix in place, row (c, q) of it being the padded image shifted by that tap's offset. Output positions
 * run over whole padded rows, so the GEMM writes a slightly wider result into scratch; the epilogue copies the valid
 * positions into y, adding the bias and applying a fused ReLU on the way. The forward pass and, as the equivalent
 * forward convolution of the padded dy, the input gradient run through it.
 */
final class ImplicitConvEmitter {
    private ImplicitConvEmitter() {}

    /**
     * The implicit-im2col convolution of node n's input 0 as the equivalent forward convolution {@code d}, with
     * filters [o, (c, t)] per group read from {@code filters} at {@code filtersAt} (plus group · o/G · kg), after
     * {@code prologue} (which may build them in col) has run once per call. With a {@code band}, K runs band-major
     * (see {@link KernelBand}), the filters' columns too, and each tile multiplies only the rows of K its positions see.
     */
    static void emit(EmitContext ctx, Node n, ConvDims d, String filters, long filtersAt, CodeBlock prologue,
                     KernelBand band) {
        boolean banded = band != null;
        String name = ctx.methodName(n);
        String y = ctx.buf(n);
        PaddedImage src = PaddedImage.of(d);
        int r = d.r();
        int positions = src.gridPositions(d);
        long result = paddedCopyFloats(d, src);
        int packedSize = Gemm.packedASize(d.og(), d.kg());
        long packed = Math.max(implicitScratch(d), filtersAt + (long) d.o() * d.kg());
        ctx.needCol(packed + (long) d.g().groups() * packedSize);
        String taps = ctx.constantArray(name.toUpperCase() + "_TAP", banded ? KernelBand.tapOffsets(d, src)
                : src.tapOffsets(d));
        String rowFrom = banded ? ctx.constantArray(name.toUpperCase() + "_ROW_FROM", band.from()) : null;
        String rowTo = banded ? ctx.constantArray(name.toUpperCase() + "_ROW_TO", band.to()) : null;
        addIm2colMethod(ctx, name + "_pad", b -> emitPaddedCopy(b, ctx.gemmClass, d, src, 0, true));
        CodeBlock.Builder b = CodeBlock.builder().addStatement("float[] col = cols[worker]");
        if (prologue != null) {
            b.add(prologue);
        }
        b.add("// the filters packed for the micro-kernel once per call, at col[$L..)\n", packed);
        for (int group = 0; group < d.g().groups(); group++) {
            b.addStatement("$T.packA($L, $L, $L, $L, $L, col, $L)", ctx.gemmClass, d.og(), d.kg(), filters,
                    filtersAt + (long) group * d.og() * d.kg(), d.kg(), packed + (long) group * packedSize);
        }
        b.beginControlFlow("for (int n = from; n < to; n++)");
        boolean bias = n.inputs().size() == 3;
        boolean relu = ctx.plan.epilogueOf(n) >= 0;
        Node pool = ctx.plan.poolOf(n) < 0 ? null : ctx.graph.node(ctx.plan.poolOf(n));
        if (pool != null && (banded || r != 2)) {
            throw new IllegalStateException(n.name() + ": a fused pool needs the plain 2-D form");
        }
        for (int group = 0; group < d.g().groups(); group++) {
            String xAt = Expr.add(Expr.mul("n", d.c() * d.inSize()), group * d.cg() * d.inSize());
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
                        packed + (long) group * packedSize, taps, src.stride()[0], rowFrom, rowTo, result, positions);
            } else {
                b.addStatement("$T.multiplyImplicit($L, $L, $L, col, $L, col, 0, $L, col, $L, $L, false, gemm[worker])",
                        ctx.gemmClass, d.og(), positions, d.kg(), packed + (long) group * packedSize, taps, result,
                        positions);
            }
            if (pool != null) {
                emitPooledCopyOut(ctx, b, n, d, pool, group, result, positions, src.stride()[0], bias, relu);
                continue;
            }
            b.add("// the valid positions into $L$L\n", y, bias || relu ? ", " + epilogueName(bias, relu) : "");
            b.beginControlFlow("for (int o = 0; o < $L; o++)", d.og());
            if (bias) {
                b.addStatement("float bias = $L[$L]", ctx.buf(ctx.input(n, 2)), Expr.add("o", group * d.og()));
            }
            String from = Expr.add(String.valueOf(result), Expr.mul("o", positions));
            String to = Expr.add(Expr.add(Expr.mul("n", d.o() * d.outSize()), Expr.mul("o", d.outSize())),
                    group * d.og() * d.outSize());
            int outStride = d.outSize();
            // the last two axes go to one call: a plane's rows in one kernel call, not one each
            boolean rows = r >= 2;
            int loops = rows ? r - 2 : r - 1;
            for (int a = 0; a < loops; a++) {
                outStride /= d.out().get(a);
                b.beginControlFlow("for (int o$L = 0; o$L < $L; o$L++)", a, a, d.out().get(a), a);
                from = Expr.add(from, Expr.mul("o" + a, src.stride()[a]));
                to = Expr.add(to, Expr.mul("o" + a, outStride));
            }
            if (rows && (bias || relu)) {
                b.addStatement("$T.copyOutRows(col, $L, $L, $L, $L, $L, $L, $L, $L, $L)", ctx.gemmClass, from,
                        src.stride()[r - 2], y, to, d.out().get(r - 1), d.out().get(r - 2), d.out().get(r - 1),
                        bias ? "bias" : "0f", relu);
            } else if (rows) {
                b.addStatement("$T.copyRows(col, $L, $L, $L, $L, $L, $L, $L)", ctx.gemmClass, from,
                        src.stride()[r - 2], y, to, d.out().get(r - 1), d.out().get(r - 2), d.out().get(r - 1));
            } else if (bias || relu) {
                b.addStatement("$T.copyOut(col, $L, $L, $L, $L, $L, $L)", ctx.gemmClass, from, y, to, d.out().get(r - 1),
                        bias ? "bias" : "0f", relu);
            } else {
                b.addStatement("$T.arraycopy(col, $L, $L, $L, $L)", System.class, from, y, to, d.out().get(r - 1));
            }
            for (int a = 0; a <= loops; a++) {
                b.endControlFlow();
            }
        }
        b.endControlFlow();
        ctx.loopMethod(n, name, n.shape().dim(0), true, b.build());
    }

    /**
     * The epilogue of a convolution whose 2×2 max pool is fused: per channel and pooled row, the maxima of the
     * windows of two rows of the GEMM's result (+ bias, ReLU, as the unfused epilogue computes them) straight into
     * the pool's buffer; the unpooled result is never stored.
     */
    private static void emitPooledCopyOut(EmitContext ctx, CodeBlock.Builder b, Node n, ConvDims d, Node pool,
                                          int group, long result, int positions, int rowStride, boolean bias,
                                          boolean relu) {
        int ho = pool.shape().dim(2), wo = pool.shape().dim(3), planes = d.o() * ho * wo;
        b.add("// fused $L: each 2×2 window's maximum of the valid positions$L, into $L\n",
                ctx.describe(pool).replace("$", "$$"), bias || relu ? " (" + epilogueName(bias, relu) + " first)" : "",
                ctx.buf(n));
        b.beginControlFlow("for (int o = 0; o < $L; o++)", d.og());
        if (bias) {
            b.addStatement("float bias = $L[$L]", ctx.buf(ctx.input(n, 2)), Expr.add("o", group * d.og()));
        }
        String top = Expr.add(Expr.add(String.valueOf(result), Expr.mul("o", positions)), Expr.mul("i", 2 * rowStride));
        String to = Expr.add(Expr.add(Expr.mul("n", planes), Expr.mul("o", ho * wo)), group * d.og() * ho * wo);
        b.beginControlFlow("for (int i = 0; i < $L; i++)", ho);
        b.addStatement("$T.copyOutPooled(col, $L, $L, $L, $L, $L, $L, $L, $L)", ctx.maxPool2x2, top,
                Expr.add(top, rowStride), ctx.buf(n), Expr.add(to, Expr.mul("i", wo)), wo,
                Expr.mul("n + 1", planes), bias ? "bias" : "0f", relu);
        b.endControlFlow();
        b.endControlFlow();
    }

    /**
     * Node n's forward pass {@code d} (2-D, stride 1, at most {@link Gemm#CHANNEL_LANES} output channels per group)
     * with the channels in the vector lanes: per image and group the zero-padded copy, then
     * {@link Gemm#convChannelRows} over the output rows into col (position-major: a vector of channels per
     * position), then the epilogue writes each channel's plane into y with the bias and a fused ReLU.
     */
    static void emitChannelVectors(EmitContext ctx, Node n, ConvDims d, String filters) {
        String name = ctx.methodName(n);
        String y = ctx.buf(n);
        PaddedImage src = PaddedImage.of(d);
        int lanes = Gemm.CHANNEL_LANES, ho = d.out().get(0), wo = d.out().get(1), og = d.og(), kg = d.kg();
        long result = paddedCopyFloats(d, src);
        // the tiles of a row narrower than 12 positions spill into the next row's place, the last row's into slack
        long packed = result + (long) (ho * wo + Gemm.CHANNEL_POSITIONS) * lanes + 64;
        Node pool = ctx.plan.poolOf(n) < 0 ? null : ctx.graph.node(ctx.plan.poolOf(n));
        // with a fused pool: each group's biases as a vector of lanes, then the pooled positions' vectors
        long biases = packed + (long) d.g().groups() * kg * lanes;
        long pooled = biases + (long) d.g().groups() * lanes;
        int pho = pool == null ? 0 : pool.shape().dim(2), pwo = pool == null ? 0 : pool.shape().dim(3);
        ctx.needCol(pool == null ? biases : pooled + (long) pho * pwo * lanes);
        // a kernel 5 wide at dilation 1: each kernel row's taps read one run of image values, broadcast once
        int kw = d.k().get(1);
        boolean kernelRows = kw == Gemm.KERNEL_ROW_TAPS && d.g().dilation().get(1) == 1;
        int[] tapOffsets = src.tapOffsets(d);
        String taps = ctx.constantArray(name.toUpperCase() + "_TAP", tapOffsets), rowTaps = "null";
        if (kernelRows) {
            int[] first = new int[kg / kw];
            for (int r = 0; r < first.length; r++) {
                first[r] = tapOffsets[r * kw];
            }
            rowTaps = ctx.constantArray(name.toUpperCase() + "_ROW_TAP", first);
        }
        addIm2colMethod(ctx, name + "_pad", b -> emitPaddedCopy(b, ctx.gemmClass, d, src, 0, true));
        CodeBlock.Builder b = CodeBlock.builder().addStatement("float[] col = cols[worker]");
        b.add("// the filters as [(c,t)][$L lanes of output channels] once per call, at col[$L..)\n", lanes, packed);
        for (int group = 0; group < d.g().groups(); group++) {
            b.addStatement("$T.packChannels($L, $L, $L, $L, col, $L)", ctx.gemmClass, og, kg, filters,
                    (long) group * og * kg, packed + (long) group * kg * lanes);
        }
        boolean bias = n.inputs().size() == 3;
        boolean relu = ctx.plan.epilogueOf(n) >= 0;
        if (pool != null && bias) {
            b.add("// the biases as vectors of $L lanes (zero past each group's $L channels) at col[$L..)\n", lanes, og,
                    biases);
            b.beginControlFlow("for (int j = 0; j < $L; j++)", d.g().groups() * lanes);
            b.addStatement("col[$L + j] = j % $L < $L ? $L[j / $L * $L + j % $L] : 0f", biases, lanes, og,
                    ctx.buf(ctx.input(n, 2)), lanes, og, lanes);
            b.endControlFlow();
        }
        b.beginControlFlow("for (int n = from; n < to; n++)");
        for (int group = 0; group < d.g().groups(); group++) {
            String xAt = Expr.add(Expr.mul("n", d.c() * d.inSize()), group * d.cg() * d.inSize());
            b.addStatement("$L_pad($L, $L, col)", name, ctx.buf(ctx.input(n, 0)), xAt);
            b.add("// out[(i, j), o] = Σ_(c,t) padded[i·$L + j + $L[(c,t)]] · w[o, (c,t)]: $L rows of $L positions,"
                    + " the channels in the lanes, into col[$L..)$L\n", src.stride()[0], taps, ho, wo, result,
                    kernelRows ? "; " + rowTaps + " holds each kernel row's first tap, whose five taps read one run of"
                            + " the image" : "");
            b.addStatement("$T.convChannelRows($L, col, $L, col, 0, $L, $L, $L, $L, $L, col, $L)", ctx.gemmClass, kg,
                    packed + (long) group * kg * lanes, taps, rowTaps, ho, src.stride()[0], wo, result);
            if (pool != null) {
                b.add("// fused $L: each 2×2 window's maximum$L, a vector of channels a window, into col[$L..)\n",
                        ctx.describe(pool).replace("$", "$$"),
                        bias || relu ? " (" + epilogueName(bias, relu) + " first)" : "", pooled);
                b.addStatement("$T.poolChannels(col, $L, $L, $L, $L, $L, $L, $L, col, $L)", ctx.maxPool2x2, result, ho,
                        wo, lanes, bias ? "col" : "null", biases + (long) group * lanes, relu, pooled);
                b.add("// each channel's pooled plane into $L\n", y);
                b.addStatement("$T.positionsToPlanes(col, $L, $L, $L, $L, null, 0, false, $L, $L)", ctx.gemmClass, pooled,
                        pho * pwo, lanes, og, y, Expr.add(Expr.mul("n", d.o() * pho * pwo), group * og * pho * pwo));
                continue;
            }
            b.add("// each channel's plane into $L$L\n", y, bias || relu ? ", " + epilogueName(bias, relu) : "");
            b.addStatement("$T.positionsToPlanes(col, $L, $L, $L, $L, $L, $L, $L, $L, $L)", ctx.gemmClass, result,
                    ho * wo, lanes, og, bias ? ctx.buf(ctx.input(n, 2)) : "null", group * og, relu, y,
                    Expr.add(Expr.mul("n", d.o() * d.outSize()), group * og * d.outSize()));
        }
        b.endControlFlow();
        ctx.loopMethod(n, name, n.shape().dim(0), true, b.build());
    }
}
