package dev.convj.codegen.emit;

import com.palantir.javapoet.CodeBlock;
import dev.convj.graph.Node;
import dev.convj.graph.Shape;
import dev.convj.graph.ops.ChannelMask;
import java.util.List;

/** Ops that move values without arithmetic: flip, channel slices and concatenation, connectivity masks. */
final class ShapeEmitter {
    private ShapeEmitter() {}

    /** y[…i…] = x[…n−1−i…] on the flipped axes. */
    static void flip(EmitContext ctx, Node n, List<Integer> axes) {
        Shape s = n.shape();
        int[] strides = s.strides();
        CodeBlock.Builder b = CodeBlock.builder().addStatement("int i = 0");
        StringBuilder src = new StringBuilder("0");
        for (int a = 0; a < s.rank(); a++) {
            b.beginControlFlow("for (int a$L = 0; a$L < $L; a$L++)", a, a, s.dim(a), a);
            String coordinate = axes.contains(a) ? "(" + (s.dim(a) - 1) + " - a" + a + ")" : "a" + a;
            src.append(" + ").append(coordinate).append(" * ").append(strides[a]);
        }
        b.addStatement("$L[i++] = $L[$L]", ctx.buf(n), ctx.buf(ctx.input(n, 0)), src);
        for (int a = 0; a < s.rank(); a++) {
            b.endControlFlow();
        }
        ctx.loopMethod(n, ctx.methodName(n), 1, false, b.build());
    }

    /** Copies positions [start, start + extent) of {@code axis}: one contiguous block per outer index. */
    static void slice(EmitContext ctx, Node n, int axis, int start) {
        Node x = ctx.input(n, 0);
        int inner = n.shape().strides()[axis];
        int outer = n.shape().size() / (n.shape().dim(axis) * inner);
        int block = n.shape().dim(axis) * inner, inBlock = x.shape().dim(axis) * inner;
        CodeBlock b = CodeBlock.builder()
                .beginControlFlow("for (int o = 0; o < $L; o++)", outer)
                .addStatement("System.arraycopy($L, o * $L + $L, $L, o * $L, $L)", ctx.buf(x), inBlock, start * inner,
                        ctx.buf(n), block, block)
                .endControlFlow()
                .build();
        ctx.loopMethod(n, ctx.methodName(n), 1, false, b);
    }

    /** Joins the operands along {@code axis} in operand order. */
    static void concat(EmitContext ctx, Node n, int axis) {
        int inner = n.shape().strides()[axis];
        int outer = n.shape().size() / (n.shape().dim(axis) * inner);
        int outBlock = n.shape().dim(axis) * inner;
        CodeBlock.Builder b = CodeBlock.builder().beginControlFlow("for (int o = 0; o < $L; o++)", outer);
        int offset = 0;
        for (int i = 0; i < n.inputs().size(); i++) {
            Node part = ctx.input(n, i);
            int block = part.shape().dim(axis) * inner;
            b.addStatement("System.arraycopy($L, o * $L, $L, o * $L + $L, $L)", ctx.buf(part), block, ctx.buf(n),
                    outBlock, offset, block);
            offset += block;
        }
        ctx.loopMethod(n, ctx.methodName(n), 1, false, b.endControlFlow().build());
    }

    /** y[o, c, …] = mask[o][c] ? w[o, c, …] : 0, with the mask as a constant table. */
    static void channelMask(EmitContext ctx, Node n, ChannelMask op) {
        int[] mask = new int[op.outputs() * op.inputs()];
        for (int o = 0; o < op.outputs(); o++) {
            for (int c = 0; c < op.inputs(); c++) {
                mask[o * op.inputs() + c] = op.connected(o, c) ? 1 : 0;
            }
        }
        String name = ctx.methodName(n);
        String table = ctx.constantArray(name.toUpperCase() + "_MASK", mask);
        int perInput = n.shape().size() / mask.length;
        CodeBlock b = CodeBlock.builder()
                .beginControlFlow("for (int i = 0; i < $L; i++)", n.shape().size())
                .addStatement("$L[i] = $L[i / $L] != 0 ? $L[i] : 0f", ctx.buf(n), table, perInput,
                        ctx.buf(ctx.input(n, 0)))
                .endControlFlow()
                .build();
        ctx.loopMethod(n, name, 1, false, b);
    }
}
