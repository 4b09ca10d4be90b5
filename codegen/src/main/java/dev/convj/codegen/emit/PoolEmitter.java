package dev.convj.codegen.emit;

import com.palantir.javapoet.CodeBlock;
import dev.convj.codegen.plan.ExecutionPlan;
import dev.convj.graph.Node;
import dev.convj.graph.ops.PoolGeometry;
import java.util.List;

/**
 * Max and average pooling and their gradients as nested loops over each plane (image × channel; images are
 * split across threads). Window o along an axis covers [o·s − p, o·s − p + k) clipped to the input.
 */
final class PoolEmitter {
    private PoolEmitter() {}

    enum Kind {
        /** y = max over the window. */
        MAX,
        /** y = v at the window's argmax of x. */
        SELECT,
        /** dx[argmax] += dy. */
        MAX_BACKWARD,
        /** y = window sum / divisor. */
        AVG,
        /** dx[window] += dy / divisor. */
        AVG_BACKWARD
    }

    /**
     * @param big   the unpooled operand or result [N, C, *in]
     * @param small the pooled operand or result [N, C, *out]
     */
    static void emit(EmitContext ctx, Node n, PoolGeometry g, Kind kind, boolean countIncludePad, Node big,
                     Node small) {
        List<Integer> in = big.shape().tail(2), out = small.shape().tail(2);
        int r = g.spatialRank();
        int channels = big.shape().dim(1);
        int inSize = in.stream().reduce(1, (a, b) -> a * b), outSize = out.stream().reduce(1, (a, b) -> a * b);
        if (fullWindows(g, in, out, kind == Kind.MAX_BACKWARD || kind == Kind.AVG_BACKWARD)) {
            emitFullWindows(ctx, n, g, kind, in, out, channels);
            return;
        }
        CodeBlock.Builder b = CodeBlock.builder();
        b.beginControlFlow("for (int plane = from * $L; plane < to * $L; plane++)", channels, channels);
        b.addStatement("int xb = plane * $L, yb = plane * $L", inSize, outSize);
        boolean scatter = kind == Kind.MAX_BACKWARD || kind == Kind.AVG_BACKWARD;
        if (scatter) {
            b.addStatement("$T.fill($L, xb, xb + $L, 0f)", java.util.Arrays.class, ctx.buf(n), inSize);
        }
        StringBuilder yIndex = new StringBuilder("0");
        StringBuilder padded = new StringBuilder("1");
        StringBuilder clipped = new StringBuilder("1");
        for (int a = 0; a < r; a++) {
            b.beginControlFlow("for (int o$L = 0; o$L < $L; o$L++)", a, a, out.get(a), a);
            b.addStatement("int s$L = o$L * $L - $L, lo$L = Math.max(s$L, 0), hi$L = Math.min(s$L + $L, $L)", a, a,
                    g.stride().get(a), g.padding().get(a), a, a, a, a, g.kernel().get(a), in.get(a));
            yIndex = new StringBuilder("(" + yIndex + ") * " + out.get(a) + " + o" + a);
            padded.append(" * (Math.min(s").append(a).append(" + ").append(g.kernel().get(a)).append(", ")
                    .append(in.get(a) + g.padding().get(a)).append(") - s").append(a).append(")");
            clipped.append(" * (hi").append(a).append(" - lo").append(a).append(")");
        }
        b.addStatement("int y = yb + $L", yIndex);
        boolean max = kind == Kind.MAX || kind == Kind.SELECT || kind == Kind.MAX_BACKWARD;
        String x = ctx.buf(max ? ctx.input(n, 0) : n);
        if (max) {
            b.add("// as PyTorch's CPU kernel: the first maximum wins ties, and the last NaN wins outright\n");
            b.addStatement("int arg = -1");
            b.addStatement("float best = 0f");
        } else {
            b.addStatement("float div = $L", countIncludePad ? padded : clipped);
            if (kind == Kind.AVG) {
                b.addStatement("float sum = 0f");
            } else {
                b.addStatement("float share = $L[y] / div", ctx.buf(ctx.input(n, 0)));
            }
        }
        StringBuilder at = new StringBuilder("0");
        for (int a = 0; a < r; a++) {
            b.beginControlFlow("for (int i$L = lo$L; i$L < hi$L; i$L++)", a, a, a, a, a);
            at = new StringBuilder("(" + at + ") * " + in.get(a) + " + i" + a);
        }
        b.addStatement("int at = xb + $L", at);
        switch (kind) {
            case MAX, SELECT, MAX_BACKWARD -> b.addStatement("float v = $L[at]", x)
                    .beginControlFlow("if (arg < 0 || v > best || v != v)")
                    .addStatement("best = v")
                    .addStatement("arg = at")
                    .endControlFlow();
            case AVG -> b.addStatement("sum += $L[at]", ctx.buf(ctx.input(n, 0)));
            case AVG_BACKWARD -> b.addStatement("$L[at] += share", ctx.buf(n));
        }
        for (int a = 0; a < r; a++) {
            b.endControlFlow();
        }
        switch (kind) {
            case MAX -> b.addStatement("$L[y] = best", ctx.buf(n));
            case SELECT -> b.addStatement("$L[y] = $L[arg]", ctx.buf(n), ctx.buf(ctx.input(n, 1)));
            case MAX_BACKWARD -> b.addStatement("$L[arg] += $L[y]", ctx.buf(n), ctx.buf(ctx.input(n, 1)));
            case AVG -> b.addStatement("$L[y] = sum / div", ctx.buf(n));
            case AVG_BACKWARD -> { }
        }
        for (int a = 0; a < r; a++) {
            b.endControlFlow();
        }
        b.endControlFlow();
        ctx.loopMethod(n, ctx.methodName(n), n.shape().dim(0), true, b.build());
    }

    /** Largest window unrolled tap by tap. */
    private static final int UNROLL_TAPS = 16;

    /**
     * Whether every window lies wholly inside the input (no padding, no partial last window), with few enough taps
     * to unroll; for the backward pass, whether the windows also tile the input exactly, so that each input
     * position lies in exactly one window.
     */
    static boolean fullWindows(PoolGeometry g, List<Integer> in, List<Integer> out, boolean tiling) {
        if (tiling) {
            return ExecutionPlan.tilesExactly(g, in, out);
        }
        for (int a = 0; a < g.spatialRank(); a++) {
            if (g.padding().get(a) != 0 || (out.get(a) - 1) * g.stride().get(a) + g.kernel().get(a) > in.get(a)) {
                return false;
            }
        }
        return g.kernel().stream().reduce(1, (a, b) -> a * b) <= UNROLL_TAPS;
    }

    /**
     * 2×2, stride-2 max pooling through the {@code MaxPool2x2} kernels, whose Vector API forms handle several
     * windows per step. In the gradient (windows tiling the input) a fused ReLU backward, relu_backward(·, y) with
     * y materialized, becomes the kernel's mask. Returns false, emitting nothing, for any other window or epilogue.
     */
    private static boolean emitWindow2x2Kernel(EmitContext ctx, Node n, PoolGeometry g, Kind kind, List<Integer> in,
                                               int channels) {
        if (ctx.maxPool2x2 == null || !g.kernel().equals(List.of(2, 2)) || !g.stride().equals(List.of(2, 2))) {
            return false;
        }
        CodeBlock.Builder b = CodeBlock.builder();
        if (kind == Kind.MAX) {
            b.add("// 2×2 windows, stride 2: the maximum of each\n");
            b.addStatement("$T.forward($L, $L, from * $L, to * $L, $L, $L)", ctx.maxPool2x2, ctx.buf(ctx.input(n, 0)),
                    ctx.buf(n), channels, channels, in.get(0), in.get(1));
        } else {
            int fused = ctx.plan.epilogueOf(n);
            Node consumer = fused < 0 ? null : ctx.graph.node(fused);
            Node mask = consumer == null ? null : ElementwiseEmitter.maskOperand(ctx, consumer, n);
            if (consumer != null && mask == null) {
                return false;
            }
            b.add("// 2×2 windows, stride 2: each window's gradient to its argmax$L, zero elsewhere\n",
                    consumer == null ? "" : " masked by " + mask.name() + " (ReLU's backward)");
            if (consumer != null) {
                b.add("// (the fused epilogue $L)\n", ctx.describe(consumer).replace("$", "$$"));
            }
            b.addStatement("$T.backward($L, $L, $L, $L, from * $L, to * $L, $L, $L)", ctx.maxPool2x2,
                    ctx.buf(ctx.input(n, 0)), ctx.buf(ctx.input(n, 1)), mask == null ? "null" : ctx.buf(mask),
                    ctx.buf(n), channels, channels, in.get(0), in.get(1));
        }
        ctx.loopMethod(n, ctx.methodName(n), n.shape().dim(0), true, b.build());
        return true;
    }

    /**
     * Average pooling over a whole window (no padding, so the divisor is the window's size either way): the sum
     * from zero in row-major tap order, as the clipped loop adds; its gradient, the windows tiling the input, writes
     * dy / taps to every tap, with no clearing pass.
     */
    private static void emitWholeAverage(EmitContext ctx, Node n, Kind kind, CodeBlock.Builder b, int taps,
                                         int[] offset) {
        if (kind == Kind.AVG) {
            String x = ctx.buf(ctx.input(n, 0));
            StringBuilder sum = new StringBuilder("0f");
            for (int t = 0; t < taps; t++) {
                sum.append(" + ").append(x).append("[at + ").append(offset[t]).append("]");
            }
            b.addStatement("$L[y] = ($L) / $Lf", ctx.buf(n), sum, taps);
        } else {
            b.add("// + 0f turns −0 into +0, as adding the share into cleared memory does\n");
            b.addStatement("float share = $L[y] / $Lf + 0f", ctx.buf(ctx.input(n, 0)), taps);
            for (int t = 0; t < taps; t++) {
                b.addStatement("$L[at + $L] = share", ctx.buf(n), offset[t]);
            }
        }
    }

    /**
     * Max and average pooling when every window is whole (2×2 max pooling at stride 2 goes to the MaxPool2x2
     * kernels first): the window's taps are unrolled at constant offsets from its corner, with no clipping. The
     * max-pool gradient (windows tiling the input) gives the upstream gradient to the window's argmax and zero to
     * the other taps: it clears the planes and stores the argmax alone, unless a fused epilogue could turn zero
     * into something else, in which case every tap is written through it.
     */
    private static void emitFullWindows(EmitContext ctx, Node n, PoolGeometry g, Kind kind, List<Integer> in,
                                        List<Integer> out, int channels) {
        if ((kind == Kind.MAX || kind == Kind.MAX_BACKWARD) && emitWindow2x2Kernel(ctx, n, g, kind, in, channels)) {
            return;
        }
        int r = g.spatialRank();
        int inSize = in.stream().reduce(1, (a, b) -> a * b), outSize = out.stream().reduce(1, (a, b) -> a * b);
        int[] inStride = new int[r];
        for (int a = r - 1, st = 1; a >= 0; st *= in.get(a), a--) {
            inStride[a] = st;
        }
        int taps = g.kernel().stream().reduce(1, (a, b) -> a * b);
        int[] offset = new int[taps];
        for (int t = 0; t < taps; t++) {
            int rest = t, off = 0;
            for (int a = r - 1; a >= 0; a--) {
                off += rest % g.kernel().get(a) * inStride[a];
                rest /= g.kernel().get(a);
            }
            offset[t] = off;
        }
        String x = ctx.buf(ctx.input(n, 0));
        CodeBlock.Builder b = CodeBlock.builder();
        b.add("// every window is whole: its $L taps sit at constant offsets from its corner\n", taps);
        // The backward pass writes one tap per window when the rest may stay zero: the planes are cleared first
        // (a vectorized fill), and only the argmax is stored.
        int fusedInto = ctx.plan.epilogueOf(n);
        boolean sparse = kind == Kind.MAX_BACKWARD
                && (fusedInto < 0 || ElementwiseEmitter.keepsZero(ctx, ctx.graph.node(fusedInto), n));
        if (sparse) {
            b.addStatement("$T.fill($L, from * $L, to * $L, 0f)", java.util.Arrays.class, ctx.buf(n),
                    channels * inSize, channels * inSize);
        }
        b.beginControlFlow("for (int plane = from * $L; plane < to * $L; plane++)", channels, channels);
        b.addStatement("int xb = plane * $L, y = plane * $L", inSize, outSize);
        StringBuilder corner = new StringBuilder("xb");
        for (int a = 0; a < r; a++) {
            // y walks the pooled plane in row-major order, one step per innermost iteration
            b.beginControlFlow("for (int o$L = 0; o$L < $L; o$L++$L)", a, a, out.get(a), a, a == r - 1 ? ", y++" : "");
            corner.append(" + o").append(a).append(" * ").append(g.stride().get(a) * inStride[a]);
        }
        b.addStatement("int at = $L", corner);
        if (kind == Kind.AVG || kind == Kind.AVG_BACKWARD) {
            emitWholeAverage(ctx, n, kind, b, taps, offset);
            for (int a = 0; a < r; a++) {
                b.endControlFlow();
            }
            b.endControlFlow();
            ctx.loopMethod(n, ctx.methodName(n), n.shape().dim(0), true, b.build());
            return;
        }
        boolean needArg = kind != Kind.MAX;
        if (needArg) {
            b.add("// branch-free: best by Math.max, the first maximum's offset by integer selects (ties keep the first, as in PyTorch)\n");
        } else {
            b.add("// the first maximum, as in PyTorch: a tap replaces it when greater or NaN"
                    + " (ties, −0 against +0 too, keep the first)\n");
        }
        b.addStatement("float best = $L[at]", x);
        if (needArg) {
            b.addStatement("int arg = 0");
        }
        for (int t = 1; t < taps; t++) {
            b.addStatement("float v$L = $L[at + $L]", t, x, offset[t]);
            if (needArg) {
                b.addStatement("arg = v$L > best ? $L : arg", t, offset[t]);
                b.addStatement("best = Math.max(best, v$L)", t);
            } else {
                b.addStatement("best = v$L > best || v$L != v$L ? v$L : best", t, t, t, t);
            }
        }
        if (needArg) {
            StringBuilder lastNan = new StringBuilder("arg");
            for (int t = 0; t < taps; t++) {
                String v = t == 0 ? x + "[at]" : "v" + t;
                lastNan.insert(0, v + " != " + v + " ? " + offset[t] + " : ");
            }
            b.add("// best is NaN when a tap is: then the last NaN is the argmax, as in PyTorch's CPU kernel (a branch\n");
            b.add("// almost never taken, so the selects above stay branch-free)\n");
            b.beginControlFlow("if (best != best)");
            b.addStatement("arg = $L", lastNan);
            b.endControlFlow();
        }
        switch (kind) {
            case MAX -> b.addStatement("$L[y] = best", ctx.buf(n));
            case SELECT -> b.addStatement("$L[y] = $L[at + arg]", ctx.buf(n), ctx.buf(ctx.input(n, 1)));
            case MAX_BACKWARD -> {
                b.add("// + 0f: −0 becomes +0, as adding into cleared memory does (PyTorch, the clipped loop)\n");
                b.addStatement("float dy = $L[y] + 0f", ctx.buf(ctx.input(n, 1)));
                int fused = ctx.plan.epilogueOf(n);
                if (sparse) {
                    Node consumer = fused < 0 ? null : ctx.graph.node(fused);
                    b.add("// only the argmax takes a gradient$L\n", consumer == null ? ""
                            : "; fused epilogue there: " + ctx.describe(consumer).replace("$", "$$"));
                    b.addStatement("$L[at + arg] = $L", ctx.buf(n), consumer == null ? "dy"
                            : ElementwiseEmitter.expression(ctx, consumer, "at + arg", n, "dy"));
                    break;
                }
                if (fused >= 0) {
                    Node consumer = ctx.graph.node(fused);
                    b.add("// fused epilogue, applied at each tap to its gradient: $L\n", ctx.describe(consumer).replace("$", "$$"));
                }
                for (int t = 0; t < taps; t++) {
                    String g0 = "(arg == " + offset[t] + " ? dy : 0f)";
                    String value = fused < 0 ? g0 : ElementwiseEmitter.expression(ctx, ctx.graph.node(fused),
                            "at + " + offset[t], n, g0);
                    b.addStatement("$L[at + $L] = $L", ctx.buf(n), offset[t], value);
                }
            }
            default -> throw new IllegalStateException(kind + " has no whole-window form");
        }
        for (int a = 0; a < r; a++) {
            b.endControlFlow();
        }
        b.endControlFlow();
        ctx.loopMethod(n, ctx.methodName(n), n.shape().dim(0), true, b.build());
    }
}
