package dev.convj.codegen.emit;

import com.palantir.javapoet.CodeBlock;
import dev.convj.graph.Node;
import dev.convj.graph.ops.MatMul;

/** Dense layers and matrix products: the packed GEMM over a range of rows of C per thread. */
final class GemmEmitter {
    private GemmEmitter() {}

    /** y = x·wᵀ + b, then the fused ReLU if any; rows of y (images) are split across threads. */
    static void dense(EmitContext ctx, Node n) {
        Node x = ctx.input(n, 0), w = ctx.input(n, 1);
        int rows = n.shape().dim(0), out = n.shape().dim(1), in = x.shape().dim(1);
        String y = ctx.buf(n);
        CodeBlock.Builder b = CodeBlock.builder()
                .add("// y[n, j] = Σ_i x[n, i] · w[j, i]: a GEMM of $L×$L×$L per call\n", rows, out, in)
                .addStatement("$T.multiply(false, true, to - from, $L, $L, $L, from * $L, $L, $L, 0, $L, $L, from * $L,"
                                + " $L, false, gemm[worker])", ctx.gemmClass, out, in, ctx.buf(x), in, in,
                        ctx.buf(w), in, y, out, out);
        boolean bias = n.inputs().size() == 3;
        boolean relu = ctx.plan.epilogueOf(n) >= 0;
        if (bias || relu) {
            b.add("// epilogue: $L\n", (bias ? "+ bias" : "") + (bias && relu ? ", " : "") + (relu ? "relu" : ""));
            b.beginControlFlow("for (int r = from; r < to; r++)")
                    .beginControlFlow("for (int j = 0; j < $L; j++)", out);
            String value = y + "[r * " + out + " + j]" + (bias ? " + " + ctx.buf(ctx.input(n, 2)) + "[j]" : "");
            b.addStatement("$L[r * $L + j] = $L", y, out, relu ? "relu(" + value + ")" : value)
                    .endControlFlow().endControlFlow();
        }
        ctx.loopMethod(n, ctx.methodName(n), rows, true, b.build());
    }

    /** c = op(a)·op(b); rows of c are split across threads. */
    static void matmul(EmitContext ctx, Node n, MatMul op) {
        Node a = ctx.input(n, 0), bNode = ctx.input(n, 1);
        int m = n.shape().dim(0), cols = n.shape().dim(1);
        int k = a.shape().dim(op.transposeA() ? 0 : 1);
        int lda = a.shape().dim(1), ldb = bNode.shape().dim(1);
        String aStart = op.transposeA() ? "from" : "from * " + lda;
        CodeBlock body = CodeBlock.builder()
                .add("// c = $L·$L: a GEMM of $L×$L×$L\n", op.transposeA() ? "aᵀ" : "a", op.transposeB() ? "bᵀ" : "b",
                        m, cols, k)
                .addStatement("$T.multiply($L, $L, to - from, $L, $L, $L, $L, $L, $L, 0, $L, $L, from * $L, $L, false,"
                                + " gemm[worker])", ctx.gemmClass, op.transposeA(), op.transposeB(), cols, k,
                        ctx.buf(a), aStart, lda, ctx.buf(bNode), ldb, ctx.buf(n), cols, cols)
                .build();
        ctx.loopMethod(n, ctx.methodName(n), m, true, body);
    }
}
