package dev.convj.runtime.check;

import dev.convj.graph.DType;
import dev.convj.graph.ParamInit;
import dev.convj.graph.Shape;
import dev.convj.graph.ops.Add;
import dev.convj.graph.ops.AvgPool;
import dev.convj.graph.ops.AvgPoolBackward;
import dev.convj.graph.ops.BroadcastTo;
import dev.convj.graph.ops.ChannelMask;
import dev.convj.graph.ops.Concat;
import dev.convj.graph.ops.Conv;
import dev.convj.graph.ops.ConvGeometry;
import dev.convj.graph.ops.ConvTranspose;
import dev.convj.graph.ops.ConvWeightGrad;
import dev.convj.graph.ops.Dense;
import dev.convj.graph.ops.Dropout;
import dev.convj.graph.ops.Elu;
import dev.convj.graph.ops.Fill;
import dev.convj.graph.ops.Flip;
import dev.convj.graph.ops.Input;
import dev.convj.graph.ops.LeakyRelu;
import dev.convj.graph.ops.LogSoftmax;
import dev.convj.graph.ops.MatMul;
import dev.convj.graph.ops.MaxPool;
import dev.convj.graph.ops.MaxPoolBackward;
import dev.convj.graph.ops.MaxPoolSelect;
import dev.convj.graph.ops.Mean;
import dev.convj.graph.ops.Mse;
import dev.convj.graph.ops.Mul;
import dev.convj.graph.ops.OneHot;
import dev.convj.graph.ops.Op;
import dev.convj.graph.ops.Parameter;
import dev.convj.graph.ops.PoolGeometry;
import dev.convj.graph.ops.Pow;
import dev.convj.graph.ops.Relu;
import dev.convj.graph.ops.ReluBackward;
import dev.convj.graph.ops.Reshape;
import dev.convj.graph.ops.Scale;
import dev.convj.graph.ops.Sigmoid;
import dev.convj.graph.ops.Slice;
import dev.convj.graph.ops.Softmax;
import dev.convj.graph.ops.SoftmaxCrossEntropy;
import dev.convj.graph.ops.Step;
import dev.convj.graph.ops.Sub;
import dev.convj.graph.ops.Sum;
import dev.convj.graph.ops.SumTo;
import dev.convj.graph.ops.Tanh;
import dev.convj.graph.ops.TiledConv;
import dev.convj.graph.ops.TiledConvTranspose;
import dev.convj.graph.ops.TiledConvWeightGrad;
import dev.convj.graph.ops.TiledGeometry;
import dev.convj.runtime.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * One small gradient-check case (or more) for every op of the IR, with operands on which the op is smooth. A test
 * walks {@code Op.class.getPermittedSubclasses()} and fails when an op has no case here; {@code convj gradcheck
 * --model all-ops} runs the cases of ops its network does not reach.
 */
public final class OpCases {
    private OpCases() {}

    /** An operand: shape, type, and the range its random values are drawn from (labels: [0, hi) integers). */
    public record Operand(Shape shape, DType dtype, double lo, double hi) {
        static Operand floats(int... dims) {
            return new Operand(Shape.of(dims), DType.F32, -1, 1);
        }

        static Operand positive(int... dims) {
            return new Operand(Shape.of(dims), DType.F32, 0.5, 1.5);
        }

        static Operand labels(int classes, int... dims) {
            return new Operand(Shape.of(dims), DType.I32, 0, classes);
        }

        Tensor draw(Random random) {
            return dtype.isFloat() ? Tensor.uniform(shape, lo, hi, random)
                    : Tensor.generate(shape, i -> random.nextInt((int) hi));
        }
    }

    /** An op with its operands; leaf ops (inputs, parameters, constants) have none and nothing to check. */
    public record Case(Op op, List<Operand> operands) {
        public Case {
            operands = List.copyOf(operands);
        }

        /** Runs the op's gradient check with seeded operand values. */
        public OpGradientCheck.Result check(GradientCheck.Options options) {
            Random random = new Random(options.seed());
            List<Tensor> values = operands.stream().map(o -> o.draw(random)).toList();
            return OpGradientCheck.check(op, operands.stream().map(Operand::shape).toList(),
                    operands.stream().map(Operand::dtype).toList(), values, options);
        }
    }

    private static Case of(Op op, Operand... operands) {
        return new Case(op, List.of(operands));
    }

    private static ConvGeometry geometry(List<Integer> stride, List<Integer> low, List<Integer> high,
                                         List<Integer> dilation, int groups) {
        return new ConvGeometry(stride, low, high, dilation, groups);
    }

    /** Every case, a few per op family. */
    public static List<Case> all() {
        List<Case> c = new ArrayList<>();
        // Leaves: nothing to differentiate.
        c.add(of(new Input(Shape.of(2), DType.F32)));
        c.add(of(new Parameter(Shape.of(2), new ParamInit.Constant(1))));
        c.add(of(new Fill(Shape.of(2), 3)));
        // The convolution family, 1-D to 3-D, with stride, asymmetric padding, dilation and groups.
        ConvGeometry g2 = geometry(List.of(2, 1), List.of(1, 0), List.of(0, 1), List.of(1, 2), 2);
        c.add(of(new Conv(g2), Operand.floats(2, 4, 5, 6), Operand.floats(4, 2, 2, 2), Operand.floats(4)));
        ConvGeometry g1 = geometry(List.of(2), List.of(1), List.of(1), List.of(1), 1);
        c.add(of(new Conv(g1), Operand.floats(1, 2, 7), Operand.floats(3, 2, 3)));
        ConvGeometry g3 = ConvGeometry.unit(3);
        c.add(of(new Conv(g3), Operand.floats(1, 2, 3, 3, 3), Operand.floats(2, 2, 2, 2, 2), Operand.floats(2)));
        // Output 3×5 of the conv above from input 5×6; the transpose maps it back.
        c.add(of(new ConvTranspose(g2, List.of(5, 6)), Operand.floats(2, 4, 3, 5), Operand.floats(4, 2, 2, 2),
                Operand.floats(4)));
        c.add(of(new ConvWeightGrad(g2, List.of(2, 2)), Operand.floats(2, 4, 5, 6), Operand.floats(2, 4, 3, 5)));
        // Input 4×5, kernel 2×2, one row of padding on top: a 4×4 output, cycled through 2×2 kernel sets.
        TiledGeometry tiled = new TiledGeometry(geometry(List.of(1, 1), List.of(1, 0), List.of(0, 0), List.of(1, 1),
                1), List.of(2, 2));
        c.add(of(new TiledConv(tiled), Operand.floats(2, 2, 4, 5), Operand.floats(3, 2, 2, 2, 2, 2),
                Operand.floats(3, 2, 2)));
        c.add(of(new TiledConvTranspose(tiled, List.of(4, 5)), Operand.floats(2, 3, 4, 4),
                Operand.floats(3, 2, 2, 2, 2, 2)));
        c.add(of(new TiledConvWeightGrad(tiled, List.of(2, 2)), Operand.floats(2, 2, 4, 5),
                Operand.floats(2, 3, 4, 4)));
        c.add(of(new Flip(List.of(2, 3)), Operand.floats(2, 3, 3, 2)));
        c.add(of(new ChannelMask(List.of(List.of(true, false), List.of(false, true), List.of(true, true))),
                Operand.floats(3, 2, 2, 2)));
        // Pooling: padding, ceil mode, count_include_pad on and off.
        PoolGeometry p = new PoolGeometry(List.of(3, 2), List.of(2, 2), List.of(1, 1), true);
        c.add(of(new MaxPool(p), Operand.floats(2, 2, 5, 6)));
        c.add(of(new MaxPool(new PoolGeometry(List.of(2), List.of(1), List.of(0), false)), Operand.floats(1, 2, 5)));
        c.add(of(new MaxPoolBackward(p), Operand.floats(2, 2, 5, 6), Operand.floats(2, 2, 3, 4)));
        c.add(of(new MaxPoolSelect(p), Operand.floats(2, 2, 5, 6), Operand.floats(2, 2, 5, 6)));
        c.add(of(new AvgPool(p, true), Operand.floats(2, 2, 5, 6)));
        c.add(of(new AvgPool(p, false), Operand.floats(2, 2, 5, 6)));
        PoolGeometry p3 = new PoolGeometry(List.of(2, 2, 2), List.of(1, 2, 2), List.of(1, 0, 1), false);
        c.add(of(new AvgPool(p3, false), Operand.floats(1, 2, 3, 4, 4)));
        c.add(of(new AvgPoolBackward(p, false, List.of(5, 6)), Operand.floats(2, 2, 3, 4)));
        // Dense and matrices.
        c.add(of(new Dense(), Operand.floats(3, 4), Operand.floats(2, 4), Operand.floats(2)));
        c.add(of(new MatMul(true, false), Operand.floats(4, 3), Operand.floats(4, 2)));
        c.add(of(new MatMul(false, true), Operand.floats(3, 4), Operand.floats(2, 4)));
        // Shapes, broadcasting, reductions.
        c.add(of(new Reshape(Shape.of(6, 2)), Operand.floats(2, 3, 2)));
        c.add(of(new BroadcastTo(Shape.of(2, 3, 4)), Operand.floats(3, 1)));
        c.add(of(new SumTo(Shape.of(3, 1)), Operand.floats(2, 3, 4)));
        c.add(of(new Sum(List.of(0, 2)), Operand.floats(2, 3, 4)));
        c.add(of(new Mean(List.of(1)), Operand.floats(2, 3, 4)));
        c.add(of(new Slice(1, 1, 3), Operand.floats(2, 4, 3)));
        c.add(of(new Concat(1), Operand.floats(2, 1, 3), Operand.floats(2, 2, 3)));
        // Elementwise.
        c.add(of(new Add(), Operand.floats(2, 3), Operand.floats(2, 3)));
        c.add(of(new Sub(), Operand.floats(2, 3), Operand.floats(2, 3)));
        c.add(of(new Mul(), Operand.floats(2, 3), Operand.floats(2, 3)));
        c.add(of(new Scale(-2.5), Operand.floats(2, 3)));
        c.add(of(new Pow(-0.5), Operand.positive(2, 3)));
        c.add(of(new Pow(3), Operand.floats(2, 3)));
        c.add(of(new Relu(), Operand.floats(2, 3)));
        c.add(of(new ReluBackward(), Operand.floats(2, 3), Operand.floats(2, 3)));
        c.add(of(new Step(), Operand.floats(2, 3)));
        c.add(of(new LeakyRelu(0.1), Operand.floats(2, 3)));
        c.add(of(new Elu(1.5), Operand.floats(2, 3)));
        c.add(of(new Sigmoid(), Operand.floats(2, 3)));
        c.add(of(new Tanh(), Operand.floats(2, 3)));
        c.add(of(new Dropout(0.5, 7), Operand.floats(2, 8), new Operand(Shape.scalar(), DType.I32, 0, 100)));
        // Softmax family and losses.
        c.add(of(new Softmax(1), Operand.floats(2, 4)));
        c.add(of(new LogSoftmax(0), Operand.floats(3, 2)));
        c.add(of(new OneHot(4), Operand.labels(4, 3)));
        c.add(of(new SoftmaxCrossEntropy(), Operand.floats(3, 4), Operand.labels(4, 3)));
        c.add(of(new Mse(), Operand.floats(2, 3), Operand.floats(2, 3)));
        return c;
    }
}
