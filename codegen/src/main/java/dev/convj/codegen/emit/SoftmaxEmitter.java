package dev.convj.codegen.emit;

import com.palantir.javapoet.CodeBlock;
import dev.convj.graph.Node;
import dev.convj.graph.Shape;

/** Softmax, log-softmax, one-hot labels and the losses, with the maximum subtracted before exponentiating. */
final class SoftmaxEmitter {
    private SoftmaxEmitter() {}

    static void softmax(EmitContext ctx, Node n, int axis, boolean log) {
        Shape s = n.shape();
        int k = s.dim(axis), inner = s.strides()[axis], outer = s.size() / (k * inner);
        String x = ctx.buf(ctx.input(n, 0)), y = ctx.buf(n);
        CodeBlock b = CodeBlock.builder()
                .beginControlFlow("for (int o = 0; o < $L; o++)", outer)
                .beginControlFlow("for (int in = 0; in < $L; in++)", inner)
                .addStatement("int base = o * $L + in", k * inner)
                .addStatement("float max = Float.NEGATIVE_INFINITY")
                .beginControlFlow("for (int j = 0; j < $L; j++)", k)
                .addStatement("max = Math.max(max, $L[base + j * $L])", x, inner)
                .endControlFlow()
                .addStatement("double sum = 0")
                .beginControlFlow("for (int j = 0; j < $L; j++)", k)
                .addStatement("sum += Math.exp($L[base + j * $L] - max)", x, inner)
                .endControlFlow()
                .addStatement(log ? "double logSum = Math.log(sum)" : "double inverse = 1 / sum")
                .beginControlFlow("for (int j = 0; j < $L; j++)", k)
                .addStatement(log ? "$L[base + j * $L] = (float) ($L[base + j * $L] - max - logSum)"
                        : "$L[base + j * $L] = (float) (Math.exp($L[base + j * $L] - max) * inverse)", y, inner, x, inner)
                .endControlFlow()
                .endControlFlow()
                .endControlFlow()
                .build();
        ctx.loopMethod(n, ctx.methodName(n), 1, false, b);
    }

    static void oneHot(EmitContext ctx, Node n, int classes) {
        Node labels = ctx.input(n, 0);
        int rows = labels.shape().size();
        CodeBlock b = CodeBlock.builder()
                .addStatement("$T.fill($L, 0, $L, 0f)", java.util.Arrays.class, ctx.buf(n), rows * classes)
                .beginControlFlow("for (int r = 0; r < $L; r++)", rows)
                .addStatement("$L[r * $L + label($L, r, $L, $S)] = 1f", ctx.buf(n), classes, ctx.buf(labels), classes,
                        n.name() + " (" + n.op().kind() + ")")
                .endControlFlow()
                .build();
        ctx.loopMethod(n, ctx.methodName(n), 1, false, b);
    }

    /** loss = mean over rows of logsumexp(row) − row[label]. */
    static void crossEntropy(EmitContext ctx, Node n) {
        Node logits = ctx.input(n, 0), labels = ctx.input(n, 1);
        int rows = logits.shape().dim(0), k = logits.shape().dim(1);
        String x = ctx.buf(logits);
        CodeBlock b = CodeBlock.builder()
                .addStatement("double total = 0")
                .beginControlFlow("for (int r = 0; r < $L; r++)", rows)
                .addStatement("int base = r * $L", k)
                .addStatement("float max = Float.NEGATIVE_INFINITY")
                .beginControlFlow("for (int j = 0; j < $L; j++)", k)
                .addStatement("max = Math.max(max, $L[base + j])", x)
                .endControlFlow()
                .addStatement("double sum = 0")
                .beginControlFlow("for (int j = 0; j < $L; j++)", k)
                .addStatement("sum += Math.exp($L[base + j] - max)", x)
                .endControlFlow()
                .addStatement("total += max + Math.log(sum) - $L[base + label($L, r, $L, $S)]", x, ctx.buf(labels), k,
                        n.name() + " (" + n.op().kind() + ")")
                .endControlFlow()
                .addStatement("$L[0] = (float) (total / $L)", ctx.buf(n), rows)
                .build();
        ctx.loopMethod(n, ctx.methodName(n), 1, false, b);
    }

    static void mse(EmitContext ctx, Node n) {
        Node a = ctx.input(n, 0), t = ctx.input(n, 1);
        int size = a.shape().size();
        CodeBlock b = CodeBlock.builder()
                .addStatement("double total = 0")
                .beginControlFlow("for (int i = 0; i < $L; i++)", size)
                .addStatement("double d = $L[i] - $L[i]", ctx.buf(a), ctx.buf(t))
                .addStatement("total += d * d")
                .endControlFlow()
                .addStatement("$L[0] = (float) (total / $L)", ctx.buf(n), size)
                .build();
        ctx.loopMethod(n, ctx.methodName(n), 1, false, b);
    }
}
