package dev.convj.codegen.emit;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.MethodSpec;
import dev.convj.codegen.plan.ConvDims;
import dev.convj.codegen.plan.PaddedImage;
import javax.lang.model.element.Modifier;

/**
 * What the convolution emitters share: the zero-padded copy of an image, the column matrices (im2col by rows or
 * straight into the GEMM's packed panels, col2im back), dy spread over a padded grid, and the scratch they take.
 * Every extent is a constant; padding comes from the zero-padded copy or from precomputed ranges, so no copy loop
 * tests bounds.
 */
final class ConvColumns {
    private ConvColumns() {}

    static String epilogueName(boolean bias, boolean relu) {
        return (bias ? "+ bias" : "") + (bias && relu ? ", " : "") + (relu ? "relu" : "");
    }

    static String epilogue(String value, boolean bias, boolean relu) {
        String v = value + (bias ? " + bias" : "");
        return relu ? "relu(" + v + ")" : v;
    }

    /**
     * Floats of col holding the padded image: reads reach max(tap) + positions + NR − 1 ≤ channels·size +
     * stride[0] + 63 (NR ≤ 64). The GEMM's result follows it.
     */
    static long paddedCopyFloats(ConvDims d, PaddedImage src) {
        return src.floats(d.cg()) + src.stride()[0] + 64;
    }

    /** Floats of col an implicit convolution uses for the padded image and its result, before any filters. */
    static long implicitScratch(ConvDims d) {
        PaddedImage src = PaddedImage.of(d);
        return paddedCopyFloats(d, src) + (long) d.og() * src.gridPositions(d);
    }

    /** Floats of a k×n matrix packed in panels of up to 64 columns (the widest NR of any vector width). */
    static long packedBound(int k, int n) {
        return (long) (n + 63) / 64 * 64 * k;
    }

    /**
     * Emits the padded copy of one group's channels into col[padAt..) when the convolution pads or {@code always};
     * returns the array im2col reads and the offset of channel 0 in it.
     */
    static String[] emitPaddedCopy(CodeBlock.Builder b, ClassName gemm, ConvDims d, PaddedImage src, long padAt,
                                   boolean always) {
        if (!src.padded() && !always) {
            return new String[] {"x", "off"};
        }
        int r = d.r();
        if (src.padded()) {
            b.add("// the image's channels, zero-padded, at col[$L..): the copies below test no bounds\n", padAt);
            b.addStatement("$T.fill(col, $L, $L, 0f)", java.util.Arrays.class, padAt, padAt + src.floats(d.cg()));
        } else {
            b.add("// the image's channels at col[$L..), with room behind them for reads past the last row\n",
                    padAt);
        }
        b.beginControlFlow("for (int c = 0; c < $L; c++)", d.cg());
        String from = Expr.add("off", Expr.mul("c", d.inSize()));
        String to = Expr.add(String.valueOf(padAt), Expr.mul("c", src.size()));
        int inStride = d.inSize();
        int loops = Math.max(0, r - 2); // the last two axes: one call for all of a plane's rows
        for (int a = 0; a < loops; a++) {
            inStride /= d.in().get(a);
            b.beginControlFlow("for (int i$L = 0; i$L < $L; i$L++)", a, a, d.in().get(a), a);
            from = Expr.add(from, Expr.mul("i" + a, inStride));
            to = Expr.add(to, Expr.mul(Expr.add("i" + a, d.g().padLow().get(a)), src.stride()[a]));
        }
        if (r >= 2) {
            to = Expr.add(to, Math.toIntExact((long) d.g().padLow().get(r - 2) * src.stride()[r - 2]
                    + d.g().padLow().get(r - 1)));
            b.addStatement("$T.copyRows(x, $L, $L, col, $L, $L, $L, $L)", gemm, from, d.in().get(r - 1), to,
                    src.stride()[r - 2], d.in().get(r - 2), d.in().get(r - 1));
        } else {
            b.addStatement("$T.arraycopy(x, $L, col, $L, $L)", System.class, from,
                    Expr.add(to, d.g().padLow().get(r - 1)), d.in().get(r - 1));
        }
        for (int a = 0; a <= loops; a++) {
            b.endControlFlow();
        }
        return new String[] {"col", String.valueOf(padAt)};
    }

    /** Emits the copy of one group's channels into col, zero-padded and channels-last: col[p · cg + c]. */
    static void emitChannelsLastCopy(CodeBlock.Builder b, ConvDims d, PaddedImage src) {
        int r = d.r();
        b.add("// channel c of padded position p at col[p·$L + c]: the rows of each tap's GEMM are positions\n", d.cg());
        // the channels inside the first axis: a slab of every channel at a time, whose stores stay in L1 (channel
        // by channel they went a whole padded image between stores to a line)
        String from = Expr.add("off", Expr.mul("c", d.inSize()));
        String to = "c";
        int inStride = d.inSize();
        for (int a = 0; a < r; a++) {
            inStride /= d.in().get(a);
            b.beginControlFlow("for (int i$L = 0; i$L < $L; i$L++)", a, a, d.in().get(a), a);
            if (a == 0) {
                b.beginControlFlow("for (int c = 0; c < $L; c++)", d.cg());
            }
            from = Expr.add(from, Expr.mul("i" + a, inStride));
            to = Expr.add(to, Expr.mul(Expr.add("i" + a, d.g().padLow().get(a)), src.stride()[a] * d.cg()));
        }
        b.addStatement("col[$L] = x[$L]", to, from);
        for (int a = 0; a < r; a++) {
            b.endControlFlow();
        }
        b.endControlFlow();
    }

    /**
     * Emits the copy of dy (og channels from {@code dy[dyAt..)}, dense) onto the padded image's grid in col: row o
     * at col[gridAt + o · rowLength..), output position (o0, …) at Σ o_a · stride_a of the padded image. The other
     * grid positions keep what they held (zeros, cleared once per call).
     */
    static void spreadOntoGrid(CodeBlock.Builder b, ClassName gemm, ConvDims d, PaddedImage src, String dy,
                               String dyAt, long gridAt, int rowLength) {
        int r = d.r();
        b.beginControlFlow("for (int o = 0; o < $L; o++)", d.og());
        String from = Expr.add(dyAt, Expr.mul("o", d.outSize()));
        String to = Expr.add(String.valueOf(gridAt), Expr.mul("o", rowLength));
        int outStride = d.outSize();
        int loops = Math.max(0, r - 2); // the last two axes: one call for all of a plane's rows
        for (int a = 0; a < loops; a++) {
            outStride /= d.out().get(a);
            b.beginControlFlow("for (int o$L = 0; o$L < $L; o$L++)", a, a, d.out().get(a), a);
            from = Expr.add(from, Expr.mul("o" + a, outStride));
            to = Expr.add(to, Expr.mul("o" + a, src.stride()[a]));
        }
        if (r >= 2) {
            b.addStatement("$T.copyRows($L, $L, $L, col, $L, $L, $L, $L)", gemm, dy, from, d.out().get(r - 1), to,
                    src.stride()[r - 2], d.out().get(r - 2), d.out().get(r - 1));
        } else {
            b.addStatement("$T.arraycopy($L, $L, col, $L, $L)", System.class, dy, from, to, d.out().get(r - 1));
        }
        for (int a = 0; a <= loops; a++) {
            b.endControlFlow();
        }
    }

    /**
     * Emits {@code name(float[] x, int off, float[] col)} writing colᵀ for one group of one image, packed for the
     * GEMM micro-kernel in panels of NR rows of col: element (row, p) at [row / NR][p][row % NR]. Position-major,
     * so every store is sequential (row-major stores land 64 bytes apart and miss L1 on each one). When the
     * convolution pads, the image's channels are first copied into a zero-padded block behind the panels, so the
     * gather needs no bounds tests; each row's offset from the window's corner comes from a constant table.
     */
    static void addPackedIm2col(EmitContext ctx, String name, ConvDims d) {
        int r = d.r(), last = r - 1, outLast = d.out().get(last);
        PaddedImage src = PaddedImage.of(d);
        String taps = ctx.constantArray(name.toUpperCase() + "_TAP", src.tapOffsets(d));
        // The padded copy sits behind the largest packed colᵀ any vector width needs.
        CodeBlock.Builder b = CodeBlock.builder();
        String[] from = emitPaddedCopy(b, ctx.gemmClass, d, src, packedBound(d.outSize(), d.kg()), false);
        String source = from[0], base = from[1];
        b.add("// panel j holds rows [j·NR, j·NR + NR) of col; row q of a window sits $L[q] past its corner.\n", taps);
        b.add("// One output row at a time: reads run along the image row, and the NR-strided writes stay in L1.\n");
        b.beginControlFlow("for (int q0 = 0, dst = 0; q0 < $L; q0 += NR)", d.kg());
        b.addStatement("int rows = Math.min(NR, $L - q0)", d.kg());
        String corner = base;
        for (int a = 0; a < last; a++) {
            b.beginControlFlow("for (int o$L = 0; o$L < $L; o$L++)", a, a, d.out().get(a), a);
            corner = Expr.add(corner, Expr.mul("o" + a, d.g().stride().get(a) * src.stride()[a]));
        }
        b.addStatement("int corner = $L", corner);
        b.beginControlFlow("for (int q = 0; q < rows; q++)")
                .addStatement("int at = corner + $L[q0 + q]", taps)
                .beginControlFlow("for (int o = 0; o < $L; o++)", outLast)
                .addStatement("col[dst + o * NR + q] = $L[at + $L]", source, Expr.mul("o", d.g().stride().get(last)))
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
    static void addRowIm2col(EmitContext ctx, String name, ConvDims d) {
        int r = d.r(), last = r - 1;
        PaddedImage src = PaddedImage.of(d);
        CodeBlock.Builder b = CodeBlock.builder();
        String[] from = emitPaddedCopy(b, ctx.gemmClass, d, src, (long) d.kg() * d.outSize(), false);
        String source = from[0];
        b.add("// row (c, q) of col holds x[c, o·s + q·d] (in padded coordinates) for every output position o\n");
        b.beginControlFlow("for (int c = 0; c < $L; c++)", d.cg());
        String tap = "c", corner = Expr.add(from[1], Expr.mul("c", src.size()));
        for (int a = 0; a < r; a++) {
            b.beginControlFlow("for (int k$L = 0; k$L < $L; k$L++)", a, a, d.k().get(a), a);
            tap = Expr.mulAdd(tap, d.k().get(a), "k" + a);
            corner = Expr.add(corner, Expr.mul("k" + a, d.g().dilation().get(a) * src.stride()[a]));
        }
        String at = Expr.mul(tap, d.outSize()), outer = "0";
        for (int a = 0; a < last; a++) {
            b.beginControlFlow("for (int o$L = 0; o$L < $L; o$L++)", a, a, d.out().get(a), a);
            corner = Expr.add(corner, Expr.mul("o" + a, d.g().stride().get(a) * src.stride()[a]));
            outer = Expr.mulAdd(outer, d.out().get(a), "o" + a);
        }
        at = Expr.add(at, Expr.mul(outer, d.out().get(last)));
        int s = d.g().stride().get(last);
        if (s == 1) {
            b.addStatement("$T.arraycopy($L, $L, col, $L, $L)", System.class, source, corner, at, d.out().get(last));
        } else {
            b.addStatement("int corner = $L, at = $L", corner, at);
            b.beginControlFlow("for (int o = 0; o < $L; o++)", d.out().get(last))
                    .addStatement("col[at + o] = $L[corner + o * $L]", source, s).endControlFlow();
        }
        // the output loops of every axis but the last, the kernel loops, the channel loop
        for (int a = 0; a < 2 * r; a++) {
            b.endControlFlow();
        }
        addIm2colMethod(ctx, name, b);
    }

    static void addIm2colMethod(EmitContext ctx, String name,
                                        java.util.function.Consumer<CodeBlock.Builder> body) {
        CodeBlock.Builder b = CodeBlock.builder();
        body.accept(b);
        addIm2colMethod(ctx, name, b);
    }

    static void addIm2colMethod(EmitContext ctx, String name, CodeBlock.Builder body) {
        ctx.type.addMethod(MethodSpec.methodBuilder(name).addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .addParameter(float[].class, "x").addParameter(int.class, "off").addParameter(float[].class, "col")
                .addCode(body.build()).build());
    }

    /**
     * Emits {@code name(float[] col, float[] x, int off)}, col2im: adds each row of the column matrix col[(c, q), p]
     * back onto the input positions its receptive fields read. Every extent is a constant; along the innermost axis
     * the valid output positions of each kernel tap are precomputed, so the loops test nothing.
     */
    static void addCol2im(EmitContext ctx, String name, ConvDims d) {
        int r = d.r();
        int last = r - 1;
        int outLast = d.out().get(last), inLast = d.in().get(last);
        int s = d.g().stride().get(last), pl = d.g().padLow().get(last), dil = d.g().dilation().get(last);
        int kLast = d.k().get(last);
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
            b.beginControlFlow("for (int k$L = 0; k$L < $L; k$L++)", a, a, d.k().get(a), a);
            tap = Expr.mulAdd(tap, d.k().get(a), "k" + a);
        }
        b.addStatement("int row = $L", tap);
        String inner = Expr.mul("c", d.inSize());
        String outer = "0";
        StringBuilder inside = new StringBuilder();
        int inStride = d.inSize();
        for (int a = 0; a < last; a++) {
            inStride /= d.in().get(a);
            b.beginControlFlow("for (int o$L = 0; o$L < $L; o$L++)", a, a, d.out().get(a), a);
            b.addStatement("int i$L = $L", a, Expr.add(Expr.add(Expr.mul("o" + a, d.g().stride().get(a)),
                    -d.g().padLow().get(a)), Expr.mul("k" + a, d.g().dilation().get(a))));
            inside.append(inside.length() == 0 ? "" : " && ").append("i").append(a).append(" >= 0 && i").append(a)
                    .append(" < ").append(d.in().get(a));
            inner = Expr.add(inner, Expr.mul("i" + a, inStride));
            outer = Expr.mulAdd(outer, d.out().get(a), "o" + a);
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
