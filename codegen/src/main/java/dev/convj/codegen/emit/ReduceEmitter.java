package dev.convj.codegen.emit;

import com.palantir.javapoet.CodeBlock;
import dev.convj.graph.Node;
import dev.convj.graph.Shape;
import java.util.List;

/** Broadcasting and its adjoint, and sums and means over axes, as nested loops with constant strides. */
final class ReduceEmitter {
    private ReduceEmitter() {}

    /** out[i] = x[broadcast source of i]. */
    static void broadcastTo(EmitContext ctx, Node n) {
        Node x = ctx.input(n, 0);
        int[] srcStrides = alignedStrides(x.shape(), n.shape());
        CodeBlock.Builder b = CodeBlock.builder().addStatement("int i = 0");
        String src = nest(b, n.shape(), srcStrides);
        b.addStatement("$L[i++] = $L[$L]", ctx.buf(n), ctx.buf(x), src);
        close(b, n.shape());
        ctx.loopMethod(n, ctx.methodName(n), 1, false, b.build());
    }

    /**
     * out[target index of i] += x[i] over every index of x, where {@code target} broadcasts to x's shape; then
     * scaled by {@code factor} (1 for sums, 1/count for means). The result is reshaped to n's shape for free.
     */
    static void sumTo(EmitContext ctx, Node n, Shape target, double factor) {
        Node x = ctx.input(n, 0);
        int[] dstStrides = alignedStrides(target, x.shape());
        CodeBlock.Builder b = CodeBlock.builder()
                .addStatement("$T.fill($L, 0, $L, 0f)", java.util.Arrays.class, ctx.buf(n), n.shape().size())
                .addStatement("int i = 0");
        // Trailing axes that are all summed (a bias gradient's spatial axes) form one contiguous run per target
        // element: summed in four interleaved partial sums, so the adds do not wait on one another.
        int outer = x.shape().rank(), run = 1;
        while (outer > 0 && dstStrides[outer - 1] == 0) {
            run *= x.shape().dim(--outer);
        }
        boolean perChannel = outer == 2 && dstStrides[0] == 0 && dstStrides[1] == 1;
        if (run >= 16 && perChannel && x.shape().size() >= PARALLEL_SUM) {
            sumPerChannel(ctx, n, x, run, factor);
            return;
        }
        if (run >= 16) {
            Shape head = new Shape(x.shape().dims().subList(0, outer));
            String dst = nest(b, head, java.util.Arrays.copyOf(dstStrides, outer));
            runSum(b, ctx.buf(x), run);
            b.addStatement("$L[$L] += (s0 + s1) + (s2 + s3)", ctx.buf(n), dst).addStatement("i += $L", run);
            close(b, head);
        } else {
            String dst = nest(b, x.shape(), dstStrides);
            b.addStatement("$L[$L] += $L[i++]", ctx.buf(n), dst, ctx.buf(x));
            close(b, x.shape());
        }
        if (factor != 1) {
            b.beginControlFlow("for (int j = 0; j < $L; j++)", n.shape().size())
                    .addStatement("$L[j] *= $L", ctx.buf(n), EmitContext.floatLiteral(factor))
                    .endControlFlow();
        }
        ctx.loopMethod(n, ctx.methodName(n), 1, false, b.build());
    }

    /** Elements of x from which a per-channel sum is split across the team (smaller ones are not worth a hand-off). */
    static final int PARALLEL_SUM = 1 << 16;

    /**
     * A bias gradient's sum, x (N, C, spatial…) to one value per channel, split across the team by images as the
     * weight gradients are: each thread sums its own images' runs by the micro-kernel's vector sums (Gemm.sumRuns)
     * into its partial, and run() adds the partials in thread order. Split by channel instead, each thread read
     * every image, half of them from the other core's cache, and the next step's writes of x had to take those
     * lines back: LeNet-5's pool backward before conv2 did not scale past one thread.
     */
    private static void sumPerChannel(EmitContext ctx, Node n, Node x, int run, double factor) {
        int batch = x.shape().dim(0), channels = x.shape().dim(1);
        ctx.needPartial(channels);
        String scaled = factor == 1 ? "" : " * " + EmitContext.floatLiteral(factor);
        CodeBlock.Builder b = CodeBlock.builder();
        ctx.partialAccumulator(b, n);
        ctx.threadImages(b, batch);
        b.beginControlFlow("for (int c = 0; c < $L; c++)", channels)
                .addStatement("acc[c] = $T.sumRuns($L, first * $L + c * $L, $L, last - first, $L)$L", ctx.gemmClass,
                        ctx.buf(x), channels * run, run, run, channels * run, scaled)
                .endControlFlow();
        ctx.loopMethod(n, ctx.methodName(n), "team.size()", true, b.build());
        ctx.run.beginControlFlow("if (team.size() > 1)")
                .addStatement("sumPartials($L, $L)", ctx.buf(n), channels)
                .endControlFlow();
    }

    /** The run x[i, i + run) summed into locals s0 … s3, four interleaved partial sums (the caller adds them). */
    private static void runSum(CodeBlock.Builder b, String x, int run) {
        b.addStatement("float s0 = 0f, s1 = 0f, s2 = 0f, s3 = 0f")
                .beginControlFlow("for (int j = i; j < i + $L; j += 4)", run / 4 * 4)
                .addStatement("s0 += $L[j]", x).addStatement("s1 += $L[j + 1]", x)
                .addStatement("s2 += $L[j + 2]", x).addStatement("s3 += $L[j + 3]", x)
                .endControlFlow();
        for (int t = run / 4 * 4; t < run; t++) {
            b.addStatement("s0 += $L[i + $L]", x, t);
        }
    }

    /** x's shape with {@code axes} kept at extent 1: the target of a sum over those axes. */
    static Shape kept(Shape x, List<Integer> axes) {
        Shape s = x;
        for (int a : axes) {
            s = s.with(a, 1);
        }
        return s;
    }

    /** Strides of {@code small} per axis of {@code big} (aligned at the right), 0 where small broadcasts. */
    private static int[] alignedStrides(Shape small, Shape big) {
        int[] strides = new int[big.rank()];
        int[] own = small.strides();
        int offset = big.rank() - small.rank();
        for (int a = 0; a < small.rank(); a++) {
            strides[a + offset] = small.dim(a) == 1 ? 0 : own[a];
        }
        return strides;
    }

    /** Opens one loop per axis of {@code shape}; returns the index expression of the other operand. */
    private static String nest(CodeBlock.Builder b, Shape shape, int[] strides) {
        StringBuilder index = new StringBuilder("0");
        for (int a = 0; a < shape.rank(); a++) {
            b.beginControlFlow("for (int a$L = 0; a$L < $L; a$L++)", a, a, shape.dim(a), a);
            if (strides[a] != 0) {
                index.append(" + a").append(a).append(" * ").append(strides[a]);
            }
        }
        return index.toString();
    }

    private static void close(CodeBlock.Builder b, Shape shape) {
        for (int a = 0; a < shape.rank(); a++) {
            b.endControlFlow();
        }
    }
}
