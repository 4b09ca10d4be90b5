package dev.convj.codegen.emit;

import com.palantir.javapoet.CodeBlock;
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
            b.add("// the first maximum wins ties, as in PyTorch\n");
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
                    .beginControlFlow("if (arg < 0 || v > best)")
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
}
