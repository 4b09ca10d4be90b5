package dev.convj.runtime.interp;

import dev.convj.graph.Node;
import dev.convj.graph.ops.Add;
import dev.convj.graph.ops.AvgPool;
import dev.convj.graph.ops.AvgPoolBackward;
import dev.convj.graph.ops.BroadcastTo;
import dev.convj.graph.ops.Conv;
import dev.convj.graph.ops.ConvTranspose;
import dev.convj.graph.ops.ConvWeightGrad;
import dev.convj.graph.ops.Dense;
import dev.convj.graph.ops.Fill;
import dev.convj.graph.ops.Input;
import dev.convj.graph.ops.LogSoftmax;
import dev.convj.graph.ops.MatMul;
import dev.convj.graph.ops.MaxPool;
import dev.convj.graph.ops.MaxPoolBackward;
import dev.convj.graph.ops.MaxPoolSelect;
import dev.convj.graph.ops.Mean;
import dev.convj.graph.ops.Mse;
import dev.convj.graph.ops.Mul;
import dev.convj.graph.ops.OneHot;
import dev.convj.graph.ops.OpVisitor;
import dev.convj.graph.ops.Parameter;
import dev.convj.graph.ops.Relu;
import dev.convj.graph.ops.ReluBackward;
import dev.convj.graph.ops.Reshape;
import dev.convj.graph.ops.Scale;
import dev.convj.graph.ops.Sigmoid;
import dev.convj.graph.ops.Softmax;
import dev.convj.graph.ops.SoftmaxCrossEntropy;
import dev.convj.graph.ops.Step;
import dev.convj.graph.ops.Sub;
import dev.convj.graph.ops.Sum;
import dev.convj.graph.ops.SumTo;
import dev.convj.graph.ops.Tanh;
import dev.convj.graph.ops.ChannelMask;
import dev.convj.graph.ops.Concat;
import dev.convj.graph.ops.Dropout;
import dev.convj.graph.ops.Elu;
import dev.convj.graph.ops.Flip;
import dev.convj.graph.ops.LeakyRelu;
import dev.convj.graph.ops.Pow;
import dev.convj.graph.ops.Slice;
import dev.convj.graph.ops.TiledConv;
import dev.convj.graph.ops.TiledConvTranspose;
import dev.convj.graph.ops.TiledConvWeightGrad;
import dev.convj.graph.ops.ConvGeometry;
import dev.convj.graph.ops.TiledGeometry;
import dev.convj.runtime.Tensor;
import java.util.List;

/** Routes one node to its reference kernel, with the node's operand values. */
final class KernelDispatch implements OpVisitor<Tensor> {
    private final Node node;
    private final List<Tensor> args;

    KernelDispatch(Node node, List<Tensor> args) {
        this.node = node;
        this.args = args;
    }

    private Tensor arg(int i) {
        return args.get(i);
    }

    private Tensor optional(int i) {
        return i < args.size() ? args.get(i) : null;
    }

    @Override
    public Tensor visit(Input op) {
        throw new IllegalStateException("inputs are fed, not computed: " + node.name());
    }

    @Override
    public Tensor visit(Parameter op) {
        throw new IllegalStateException("parameters are fed, not computed: " + node.name());
    }

    @Override
    public Tensor visit(Fill op) {
        return Tensor.fill(op.shape(), op.value());
    }

    @Override
    public Tensor visit(Conv op) {
        return ConvKernel.forward(arg(0), arg(1), optional(2), op.geometry(), untiled(op.geometry()), node.shape());
    }

    @Override
    public Tensor visit(ConvTranspose op) {
        return ConvKernel.transpose(arg(0), arg(1), optional(2), op.geometry(), untiled(op.geometry()), node.shape());
    }

    @Override
    public Tensor visit(ConvWeightGrad op) {
        return ConvKernel.weightGrad(arg(0), arg(1), op.geometry(), untiled(op.geometry()), node.shape());
    }

    @Override
    public Tensor visit(MaxPool op) {
        return PoolKernel.maxPool(arg(0), op.geometry(), node.shape());
    }

    @Override
    public Tensor visit(MaxPoolBackward op) {
        return PoolKernel.maxPoolBackward(arg(0), arg(1), op.geometry());
    }

    @Override
    public Tensor visit(MaxPoolSelect op) {
        return PoolKernel.maxPoolSelect(arg(0), arg(1), op.geometry(), node.shape());
    }

    @Override
    public Tensor visit(AvgPool op) {
        return PoolKernel.avgPool(arg(0), op.geometry(), op.countIncludePad(), node.shape());
    }

    @Override
    public Tensor visit(AvgPoolBackward op) {
        return PoolKernel.avgPoolBackward(arg(0), op.geometry(), op.countIncludePad(), node.shape());
    }

    @Override
    public Tensor visit(Dense op) {
        return MatMulKernel.dense(arg(0), arg(1), optional(2), node.shape());
    }

    @Override
    public Tensor visit(MatMul op) {
        return MatMulKernel.matmul(arg(0), arg(1), op.transposeA(), op.transposeB(), node.shape());
    }

    @Override
    public Tensor visit(Reshape op) {
        return arg(0).reshape(op.target());
    }

    @Override
    public Tensor visit(BroadcastTo op) {
        return ReduceKernel.broadcastTo(arg(0), op.target());
    }

    @Override
    public Tensor visit(SumTo op) {
        return ReduceKernel.sumTo(arg(0), op.target());
    }

    @Override
    public Tensor visit(Sum op) {
        return ReduceKernel.sum(arg(0), op.axes(), node.shape(), 1);
    }

    @Override
    public Tensor visit(Mean op) {
        return ReduceKernel.sum(arg(0), op.axes(), node.shape(), (double) arg(0).size() / node.shape().size());
    }

    @Override
    public Tensor visit(Add op) {
        return ElementwiseKernel.binary(arg(0), arg(1), Double::sum);
    }

    @Override
    public Tensor visit(Sub op) {
        return ElementwiseKernel.binary(arg(0), arg(1), (a, b) -> a - b);
    }

    @Override
    public Tensor visit(Mul op) {
        return ElementwiseKernel.binary(arg(0), arg(1), (a, b) -> a * b);
    }

    @Override
    public Tensor visit(Scale op) {
        return ElementwiseKernel.unary(arg(0), x -> op.factor() * x);
    }

    @Override
    public Tensor visit(Relu op) {
        // PyTorch's clamp_min: NaN and −0 pass unchanged
        return ElementwiseKernel.unary(arg(0), x -> x < 0 ? 0 : x);
    }

    @Override
    public Tensor visit(ReluBackward op) {
        // a select, not a product: +0 where y ≤ 0 whatever dL/dy holds, dL/dy where y is NaN
        return ElementwiseKernel.binary(arg(0), arg(1), (dy, y) -> y <= 0 ? 0 : dy);
    }

    @Override
    public Tensor visit(Step op) {
        return ElementwiseKernel.unary(arg(0), x -> x > 0 ? 1 : 0);
    }

    @Override
    public Tensor visit(Sigmoid op) {
        return ElementwiseKernel.unary(arg(0), ElementwiseKernel::sigmoid);
    }

    @Override
    public Tensor visit(Tanh op) {
        return ElementwiseKernel.unary(arg(0), Math::tanh);
    }

    @Override
    public Tensor visit(Softmax op) {
        return SoftmaxKernel.softmax(arg(0), op.axis(), false);
    }

    @Override
    public Tensor visit(LogSoftmax op) {
        return SoftmaxKernel.softmax(arg(0), op.axis(), true);
    }

    @Override
    public Tensor visit(OneHot op) {
        return SoftmaxKernel.oneHot(arg(0), op.classes(), node.name() + " (" + op.kind() + ")");
    }

    @Override
    public Tensor visit(SoftmaxCrossEntropy op) {
        return SoftmaxKernel.crossEntropy(arg(0), arg(1), node.name() + " (" + op.kind() + ")");
    }

    @Override
    public Tensor visit(Mse op) {
        Tensor a = arg(0), b = arg(1);
        double sum = 0;
        for (int i = 0; i < a.size(); i++) {
            double d = a.get(i) - b.get(i);
            sum += d * d;
        }
        return Tensor.scalar(sum / a.size());
    }

    private static int[] untiled(ConvGeometry g) {
        return ConvKernel.untiled(g.spatialRank());
    }

    private static int[] tiles(TiledGeometry g) {
        return SpatialIndex.array(g.tiles());
    }

    @Override
    public Tensor visit(Flip op) {
        return ShapeKernel.flip(arg(0), op.axes());
    }

    @Override
    public Tensor visit(ChannelMask op) {
        Tensor w = arg(0);
        int perOutput = w.size() / op.outputs(), perInput = perOutput / op.inputs();
        return Tensor.generate(w.shape(), i -> op.connected(i / perOutput, i % perOutput / perInput) ? w.get(i) : 0);
    }

    @Override
    public Tensor visit(TiledConv op) {
        return ConvKernel.forward(arg(0), arg(1), optional(2), op.geometry().conv(), tiles(op.geometry()),
                node.shape());
    }

    @Override
    public Tensor visit(TiledConvTranspose op) {
        return ConvKernel.transpose(arg(0), arg(1), null, op.geometry().conv(), tiles(op.geometry()), node.shape());
    }

    @Override
    public Tensor visit(TiledConvWeightGrad op) {
        return ConvKernel.weightGrad(arg(0), arg(1), op.geometry().conv(), tiles(op.geometry()), node.shape());
    }

    @Override
    public Tensor visit(Slice op) {
        return ShapeKernel.slice(arg(0), op.axis(), op.start(), node.shape());
    }

    @Override
    public Tensor visit(Concat op) {
        return ShapeKernel.concat(args, op.axis(), node.shape());
    }

    @Override
    public Tensor visit(Pow op) {
        double p = op.exponent();
        return ElementwiseKernel.unary(arg(0), x -> p == 0 ? 1 : p == 1 ? x : Math.pow(x, p));
    }

    @Override
    public Tensor visit(LeakyRelu op) {
        return ElementwiseKernel.unary(arg(0), x -> x > 0 ? x : op.slope() * x);
    }

    @Override
    public Tensor visit(Elu op) {
        // + 0.0: PyTorch's α(e^x − 1) is α·(+0) at x = −0, where expm1 gives −0
        return ElementwiseKernel.unary(arg(0), x -> x > 0 ? x : op.alpha() * (Math.expm1(x) + 0.0));
    }

    @Override
    public Tensor visit(Dropout op) {
        Tensor x = arg(0);
        long step = (long) arg(1).get(0);
        double scale = 1 / (1 - op.rate());
        return Tensor.generate(x.shape(), i -> Dropout.keep(op.rate(), op.seed(), step, i) ? x.get(i) * scale : 0);
    }
}
