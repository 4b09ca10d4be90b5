package dev.convj.codegen.emit;

import com.palantir.javapoet.CodeBlock;
import dev.convj.codegen.plan.ExecutionPlan;
import dev.convj.graph.Node;
import dev.convj.graph.ops.Add;
import dev.convj.graph.ops.BroadcastTo;
import dev.convj.graph.ops.Dropout;
import dev.convj.graph.ops.Elu;
import dev.convj.graph.ops.Fill;
import dev.convj.graph.ops.LeakyRelu;
import dev.convj.graph.ops.Pow;
import dev.convj.graph.ops.Mul;
import dev.convj.graph.ops.Op;
import dev.convj.graph.ops.Relu;
import dev.convj.graph.ops.ReluBackward;
import dev.convj.graph.ops.Reshape;
import dev.convj.graph.ops.Scale;
import dev.convj.graph.ops.Sigmoid;
import dev.convj.graph.ops.Step;
import dev.convj.graph.ops.Sub;
import dev.convj.graph.ops.Tanh;

/**
 * Elementwise ops and the chains fused into them: one loop per group, computing the whole expression tree of
 * inlined operands at each index, e.g. {@code conv1.grad[i] = reluBackward(relu1.grad[i], relu1[i])}.
 */
final class ElementwiseEmitter {
    private ElementwiseEmitter() {}

    static void emit(EmitContext ctx, Node n) {
        int size = n.shape().size();
        CodeBlock body = CodeBlock.builder()
                .beginControlFlow("for (int i = from; i < to; i++)")
                .addStatement("$L[i] = $L", ctx.buf(n), expression(ctx, n, "i"))
                .endControlFlow()
                .build();
        ctx.loopMethod(n, ctx.methodName(n), size, size >= ctx.schedule.parallelMinimum(), body);
    }

    /** y = x / (1 − rate) where the seeded mask keeps element i at this step, else 0 (as Dropout.keep). */
    static void dropout(EmitContext ctx, Node n, Dropout op) {
        int size = n.shape().size();
        CodeBlock body = CodeBlock.builder()
                .addStatement("long step = $L[0]", ctx.buf(ctx.input(n, 1)))
                .beginControlFlow("for (int i = from; i < to; i++)")
                .addStatement("$L[i] = keep($L, $LL, step, i) ? $L[i] * $L : 0f", ctx.buf(n), op.rate(), op.seed(),
                        ctx.buf(ctx.input(n, 0)), EmitContext.floatLiteral(1 / (1 - op.rate())))
                .endControlFlow()
                .build();
        ctx.loopMethod(n, ctx.methodName(n), size, size >= ctx.schedule.parallelMinimum(), body);
    }

    /** The value of {@code n} at flat index {@code index}, with inlined operands expanded. */
    static String expression(EmitContext ctx, Node n, String index) {
        return expression(ctx, n, index, null, null);
    }

    /**
     * The value of {@code n} at flat index {@code index}, with inlined operands expanded and operand
     * {@code given} (when not null) replaced by the Java expression {@code value}: how a producer applies the
     * consumer fused into it as an epilogue.
     */
    static String expression(EmitContext ctx, Node n, String index, Node given, String value) {
        Op op = n.op();
        if (op instanceof Add) {
            return "(" + operand(ctx, n, 0, index, given, value) + " + " + operand(ctx, n, 1, index, given, value) + ")";
        }
        if (op instanceof Sub) {
            return "(" + operand(ctx, n, 0, index, given, value) + " - " + operand(ctx, n, 1, index, given, value) + ")";
        }
        if (op instanceof Mul) {
            return "(" + operand(ctx, n, 0, index, given, value) + " * " + operand(ctx, n, 1, index, given, value) + ")";
        }
        if (op instanceof Scale s) {
            return "(" + EmitContext.floatLiteral(s.factor()) + " * " + operand(ctx, n, 0, index, given, value) + ")";
        }
        if (op instanceof Relu) {
            return "relu(" + operand(ctx, n, 0, index, given, value) + ")";
        }
        if (op instanceof ReluBackward) {
            return "reluBackward(" + operand(ctx, n, 0, index, given, value) + ", "
                    + operand(ctx, n, 1, index, given, value) + ")";
        }
        if (op instanceof Step) {
            return "step(" + operand(ctx, n, 0, index, given, value) + ")";
        }
        if (op instanceof Sigmoid) {
            return "sigmoid(" + operand(ctx, n, 0, index, given, value) + ")";
        }
        if (op instanceof Tanh) {
            return "(float) Math.tanh(" + operand(ctx, n, 0, index, given, value) + ")";
        }
        if (op instanceof Pow p) {
            return p.exponent() == 0 ? "1f" : p.exponent() == 1 ? operand(ctx, n, 0, index, given, value)
                    : "(float) Math.pow(" + operand(ctx, n, 0, index, given, value) + ", " + p.exponent() + ")";
        }
        if (op instanceof LeakyRelu l) {
            return "leakyRelu(" + operand(ctx, n, 0, index, given, value) + ", " + EmitContext.floatLiteral(l.slope()) + ")";
        }
        if (op instanceof Elu e) {
            return "elu(" + operand(ctx, n, 0, index, given, value) + ", " + EmitContext.floatLiteral(e.alpha()) + ")";
        }
        if (op instanceof Fill f) {
            return EmitContext.floatLiteral(f.value());
        }
        if (op instanceof BroadcastTo) {
            return operand(ctx, n, 0, "0", given, value);
        }
        if (op instanceof Reshape) {
            return operand(ctx, n, 0, index, given, value);
        }
        throw new IllegalStateException(op.kind() + " is not elementwise");
    }

    /**
     * Whether {@code n}, applied as an epilogue to operand {@code given}, maps a zero gradient to zero exactly: a
     * ReLU's backward with {@code given} as its upstream gradient (it selects that or +0). Then a producer that
     * writes mostly zeros may skip the epilogue there.
     */
    static boolean keepsZero(EmitContext ctx, Node n, Node given) {
        return n.op() instanceof ReluBackward && ctx.input(n, 0).id() == given.id()
                && ctx.input(n, 1).id() != given.id();
    }

    /**
     * The materialized ReLU output y when {@code n} is relu_backward(given, y) with y of given's shape (a ReLU's
     * backward fused into the op computing given), else null.
     */
    static Node maskOperand(EmitContext ctx, Node n, Node given) {
        if (!keepsZero(ctx, n, given)) {
            return null;
        }
        Node y = ctx.input(n, 1);
        return ctx.plan.role(y) != ExecutionPlan.Role.INLINED && y.shape().equals(given.shape()) ? y : null;
    }

    private static String operand(EmitContext ctx, Node n, int i, String index, Node given, String value) {
        Node in = ctx.input(n, i);
        if (given != null && in.id() == given.id()) {
            return value;
        }
        if (ctx.plan.role(in) == ExecutionPlan.Role.INLINED) {
            return expression(ctx, in, index, given, value);
        }
        // A one-element operand (a scalar seed, a broadcast scalar) is read at 0 whatever the index.
        return ctx.buf(in) + "[" + (in.shape().size() == 1 ? "0" : index) + "]";
    }
}
