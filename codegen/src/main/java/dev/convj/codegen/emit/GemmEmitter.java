package dev.convj.codegen.emit;

import com.palantir.javapoet.CodeBlock;
import dev.convj.codegen.kernels.Gemm;
import dev.convj.graph.Node;
import dev.convj.graph.ops.MatMul;

/** Dense layers and matrix products: the packed GEMM over a range of rows of C per thread. */
final class GemmEmitter {
    private GemmEmitter() {}

    /**
     * Batches of at most this many rows run a dense layer as dot products of x's rows with w's rows, read in place:
     * packing w (out × in) for the GEMM costs about as much as multiplying it by this many rows, and a batch of one
     * (inference latency) would otherwise spend most of its time packing a matrix it then reads once.
     */
    static final int DOT_PRODUCT_MAX_ROWS = 24;

    /**
     * y = x·wᵀ + b, then the fused ReLU if any. Small batches: dot products, the outputs split across threads. Larger
     * ones: w packed once per call as the GEMM's B operand (panels split across threads), then the packed GEMM with
     * the rows of y (images) split across threads.
     */
    static void dense(EmitContext ctx, Node n) {
        Node x = ctx.input(n, 0), w = ctx.input(n, 1);
        int rows = n.shape().dim(0), out = n.shape().dim(1), in = x.shape().dim(1);
        String y = ctx.buf(n), name = ctx.methodName(n);
        boolean bias = n.inputs().size() == 3;
        boolean relu = ctx.plan.epilogueOf(n) >= 0;
        String biasOf = bias ? ctx.buf(ctx.input(n, 2)) + "[j]" : "0f";
        if (rows <= DOT_PRODUCT_MAX_ROWS) {
            int[] wRows = new int[out];
            for (int j = 0; j < out; j++) {
                wRows[j] = j * in;
            }
            String table = ctx.constantArray(name.toUpperCase(java.util.Locale.ROOT) + "_W_ROWS", wRows);
            CodeBlock.Builder b = CodeBlock.builder()
                    .add("// y[n, j] = b[j] + Σ_i x[n, i] · w[j, i]: $L×$L dot products of length $L, outputs j in"
                            + " [from, to)\n", rows, out, in)
                    .beginControlFlow("for (int r = 0; r < $L; r++)", rows)
                    .beginControlFlow("for (int j = from; j < to; j++)")
                    .addStatement("$L[r * $L + j] = $L", y, out, biasOf)
                    .endControlFlow().endControlFlow()
                    .addStatement("$T.multiplyRows($L, to - from, $L, $L, 0, $L, $L, from * $L, $L, $L, from, $L,"
                                    + " gemm[worker])", ctx.gemmClass, rows, in, ctx.buf(x), in, ctx.buf(w), in, table,
                            y, out);
            if (relu) {
                b.add("// epilogue: relu\n")
                        .beginControlFlow("for (int r = 0; r < $L; r++)", rows)
                        .beginControlFlow("for (int j = from; j < to; j++)")
                        .addStatement("$L[r * $L + j] = relu($L[r * $L + j])", y, out, y, out)
                        .endControlFlow().endControlFlow();
            }
            ctx.loopMethod(n, name, out, true, b.build());
            return;
        }
        int panels = (out + Gemm.NR - 1) / Gemm.NR;
        ctx.needShared(Gemm.packedSize(in, out));
        ctx.loopMethod(n, name + "_pack", panels, true, CodeBlock.builder()
                .add("// wᵀ packed once for every thread's GEMM: panels [from, to) of $L columns\n", "NR")
                .addStatement("$T.packTransposedPanels($L, $L, $L, 0, $L, from, to, shared, 0)", ctx.gemmClass, in, out,
                        ctx.buf(w), in)
                .build());
        CodeBlock.Builder b = CodeBlock.builder()
                .add("// y[n, j] = Σ_i x[n, i] · w[j, i]: a GEMM of $L×$L×$L per call\n", rows, out, in)
                .addStatement("$T.multiplyPacked(false, to - from, $L, $L, $L, from * $L, $L, shared, 0, $L, from * $L,"
                                + " $L, false, gemm[worker])", ctx.gemmClass, out, in, ctx.buf(x), in, in, y, out, out);
        if (bias || relu) {
            b.add("// epilogue: $L\n", (bias ? "+ bias" : "") + (bias && relu ? ", " : "") + (relu ? "relu" : ""));
            b.beginControlFlow("for (int r = from; r < to; r++)")
                    .beginControlFlow("for (int j = 0; j < $L; j++)", out);
            String value = y + "[r * " + out + " + j]" + (bias ? " + " + biasOf : "");
            b.addStatement("$L[r * $L + j] = $L", y, out, relu ? "relu(" + value + ")" : value)
                    .endControlFlow().endControlFlow();
        }
        ctx.loopMethod(n, name, rows, true, b.build());
    }

    /**
     * c = op(a)·op(b), split across threads by rows of c, or by panels of {@link Gemm#NR} columns for aᵀ·b (a dense
     * layer's weight gradient dyᵀ·x) with more columns than rows. Each call packs its whole share of op(b): split by
     * rows, every thread packed all of x, split by columns each packs its own columns. At 2 threads that ran LeNet-5's
     * 84×120×64 weight gradient in 15–24 µs against 18–32 µs, and its 120×400×64 one in 47–106 against 52–112. A
     * product a·b keeps the split by rows: its rows are the batch's images, which the next per-image loop reads on
     * the thread that wrote them (split by columns, the whole training step ran no faster); above 4·MR rows its op(b)
     * is packed once per call, the panels split across threads, as the dense layer's forward packs wᵀ.
     */
    static void matmul(EmitContext ctx, Node n, MatMul op) {
        Node a = ctx.input(n, 0), bNode = ctx.input(n, 1);
        int m = n.shape().dim(0), cols = n.shape().dim(1);
        int k = a.shape().dim(op.transposeA() ? 0 : 1);
        int lda = a.shape().dim(1), ldb = bNode.shape().dim(1);
        CodeBlock.Builder body = CodeBlock.builder()
                .add("// c = $L·$L: a GEMM of $L×$L×$L\n", op.transposeA() ? "aᵀ" : "a", op.transposeB() ? "bᵀ" : "b",
                        m, cols, k);
        if (op.transposeA() && cols > m) {
            body.add("// items are panels of NR columns: columns [j0, j1) of c, from the same columns of op(b)\n")
                    .addStatement("int j0 = from * $T.NR, j1 = Math.min($L, to * $T.NR)", ctx.gemmClass, cols,
                            ctx.gemmClass)
                    .addStatement("$T.multiply($L, $L, $L, j1 - j0, $L, $L, 0, $L, $L, $L, $L, $L, j0, $L, false,"
                                    + " gemm[worker])", ctx.gemmClass, op.transposeA(), op.transposeB(), m, k,
                            ctx.buf(a), lda, ctx.buf(bNode), op.transposeB() ? "j0 * " + ldb : "j0", ldb, ctx.buf(n),
                            cols);
            ctx.loopMethod(n, ctx.methodName(n), panelCount(ctx, cols), true, body.build());
            return;
        }
        if (!op.transposeA() && m > 4 * Gemm.MR) {
            // op(b) (a dense layer's weights in its input gradient dy·w) packed once, split by panels, for every
            // thread's rows: split by rows alone, each thread packed all of it (the small VGG's 64×3136×256 ran
            // 2,607 µs on two threads that way, 501 + 827 this way)
            String name = ctx.methodName(n);
            ctx.needShared(Gemm.packedSize(k, cols));
            ctx.loopMethod(n, name + "_pack", panelCount(ctx, cols), true, CodeBlock.builder()
                    .add("// $L packed once for every thread's GEMM: panels [from, to) of NR columns\n",
                            op.transposeB() ? "bᵀ" : "b")
                    .addStatement("$T.$L($L, $L, $L, 0, $L, from, to, shared, 0)", ctx.gemmClass,
                            op.transposeB() ? "packTransposedPanels" : "packPanels", k, cols, ctx.buf(bNode), ldb)
                    .build());
            body.addStatement("$T.multiplyPacked(false, to - from, $L, $L, $L, from * $L, $L, shared, 0, $L, from * $L,"
                            + " $L, false, gemm[worker])", ctx.gemmClass, cols, k, ctx.buf(a), lda, lda, ctx.buf(n),
                    cols, cols);
            ctx.loopMethod(n, name, m, true, body.build());
            return;
        }
        String aStart = op.transposeA() ? "from" : "from * " + lda;
        body.addStatement("$T.multiply($L, $L, to - from, $L, $L, $L, $L, $L, $L, 0, $L, $L, from * $L, $L, false,"
                        + " gemm[worker])", ctx.gemmClass, op.transposeA(), op.transposeB(), cols, k,
                ctx.buf(a), aStart, lda, ctx.buf(bNode), ldb, ctx.buf(n), cols, cols);
        ctx.loopMethod(n, ctx.methodName(n), m, true, body.build());
    }

    /**
     * The number of panels of NR columns in {@code cols}, as a Java expression: NR is the kernel's, chosen when the
     * class loads, so the source reads the same on every CPU.
     */
    private static String panelCount(EmitContext ctx, int cols) {
        String gemm = ctx.gemmClass.simpleName();
        return "(" + cols + " + " + gemm + ".NR - 1) / " + gemm + ".NR";
    }
}
