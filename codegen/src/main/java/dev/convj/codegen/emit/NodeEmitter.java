package dev.convj.codegen.emit;

import dev.convj.graph.Node;
import dev.convj.graph.ops.Add;
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

/** Routes each computed node to the emitter of its op family. */
public final class NodeEmitter implements OpVisitor<Void> {
    private final EmitContext ctx;
    private final Node node;

    NodeEmitter(EmitContext ctx, Node node) {
        this.ctx = ctx;
        this.node = node;
    }

    private Void elementwise() {
        ElementwiseEmitter.emit(ctx, node);
        return null;
    }

    private Void unexpected() {
        throw new IllegalStateException(node.name() + " (" + node.op().kind() + ") is fed or aliased, not computed");
    }

    @Override
    public Void visit(Input op) {
        return unexpected();
    }

    @Override
    public Void visit(Parameter op) {
        return unexpected();
    }

    @Override
    public Void visit(Fill op) {
        return unexpected();
    }

    @Override
    public Void visit(Reshape op) {
        return unexpected();
    }

    @Override
    public Void visit(Conv op) {
        ConvForwardEmitter.emit(ctx, node, op.geometry());
        return null;
    }

    @Override
    public Void visit(ConvTranspose op) {
        ConvInputGradEmitter.emit(ctx, node, op.geometry());
        return null;
    }

    @Override
    public Void visit(ConvWeightGrad op) {
        ConvWeightGradEmitter.emit(ctx, node, op.geometry());
        return null;
    }

    @Override
    public Void visit(MaxPool op) {
        PoolEmitter.emit(ctx, node, op.geometry(), PoolEmitter.Kind.MAX, true, ctx.input(node, 0), node);
        return null;
    }

    @Override
    public Void visit(MaxPoolBackward op) {
        PoolEmitter.emit(ctx, node, op.geometry(), PoolEmitter.Kind.MAX_BACKWARD, true, node, ctx.input(node, 1));
        return null;
    }

    @Override
    public Void visit(MaxPoolSelect op) {
        PoolEmitter.emit(ctx, node, op.geometry(), PoolEmitter.Kind.SELECT, true, ctx.input(node, 0), node);
        return null;
    }

    @Override
    public Void visit(AvgPool op) {
        PoolEmitter.emit(ctx, node, op.geometry(), PoolEmitter.Kind.AVG, op.countIncludePad(), ctx.input(node, 0),
                node);
        return null;
    }

    @Override
    public Void visit(AvgPoolBackward op) {
        PoolEmitter.emit(ctx, node, op.geometry(), PoolEmitter.Kind.AVG_BACKWARD, op.countIncludePad(), node,
                ctx.input(node, 0));
        return null;
    }

    @Override
    public Void visit(Dense op) {
        GemmEmitter.dense(ctx, node);
        return null;
    }

    @Override
    public Void visit(MatMul op) {
        GemmEmitter.matmul(ctx, node, op);
        return null;
    }

    @Override
    public Void visit(BroadcastTo op) {
        ReduceEmitter.broadcastTo(ctx, node);
        return null;
    }

    @Override
    public Void visit(SumTo op) {
        ReduceEmitter.sumTo(ctx, node, op.target(), 1);
        return null;
    }

    @Override
    public Void visit(Sum op) {
        ReduceEmitter.sumTo(ctx, node, ReduceEmitter.kept(ctx.input(node, 0).shape(), op.axes()), 1);
        return null;
    }

    @Override
    public Void visit(Mean op) {
        Node x = ctx.input(node, 0);
        ReduceEmitter.sumTo(ctx, node, ReduceEmitter.kept(x.shape(), op.axes()),
                (double) node.shape().size() / x.shape().size());
        return null;
    }

    @Override
    public Void visit(Add op) {
        return elementwise();
    }

    @Override
    public Void visit(Sub op) {
        return elementwise();
    }

    @Override
    public Void visit(Mul op) {
        return elementwise();
    }

    @Override
    public Void visit(Scale op) {
        return elementwise();
    }

    @Override
    public Void visit(Relu op) {
        return elementwise();
    }

    @Override
    public Void visit(ReluBackward op) {
        return elementwise();
    }

    @Override
    public Void visit(Step op) {
        return elementwise();
    }

    @Override
    public Void visit(Sigmoid op) {
        return elementwise();
    }

    @Override
    public Void visit(Tanh op) {
        return elementwise();
    }

    @Override
    public Void visit(Softmax op) {
        SoftmaxEmitter.softmax(ctx, node, op.axis(), false);
        return null;
    }

    @Override
    public Void visit(LogSoftmax op) {
        SoftmaxEmitter.softmax(ctx, node, op.axis(), true);
        return null;
    }

    @Override
    public Void visit(OneHot op) {
        SoftmaxEmitter.oneHot(ctx, node, op.classes());
        return null;
    }

    @Override
    public Void visit(SoftmaxCrossEntropy op) {
        SoftmaxEmitter.crossEntropy(ctx, node);
        return null;
    }

    @Override
    public Void visit(Flip op) {
        ShapeEmitter.flip(ctx, node, op.axes());
        return null;
    }

    @Override
    public Void visit(ChannelMask op) {
        ShapeEmitter.channelMask(ctx, node, op);
        return null;
    }

    @Override
    public Void visit(TiledConv op) {
        Node x = ctx.input(node, 0), w = ctx.input(node, 1);
        int r = op.geometry().spatialRank();
        TiledConvEmitter.emit(ctx, node, op.geometry(), TiledConvEmitter.Pass.FORWARD, x.shape().dim(1),
                node.shape().dim(1), x.shape().tail(2), node.shape().tail(2), w.shape().tail(r + 2));
        return null;
    }

    @Override
    public Void visit(TiledConvTranspose op) {
        Node dy = ctx.input(node, 0), w = ctx.input(node, 1);
        int r = op.geometry().spatialRank();
        TiledConvEmitter.emit(ctx, node, op.geometry(), TiledConvEmitter.Pass.TRANSPOSE, node.shape().dim(1),
                dy.shape().dim(1), node.shape().tail(2), dy.shape().tail(2), w.shape().tail(r + 2));
        return null;
    }

    @Override
    public Void visit(TiledConvWeightGrad op) {
        Node x = ctx.input(node, 0), dy = ctx.input(node, 1);
        TiledConvEmitter.emit(ctx, node, op.geometry(), TiledConvEmitter.Pass.WEIGHT_GRAD, x.shape().dim(1),
                dy.shape().dim(1), x.shape().tail(2), dy.shape().tail(2), op.kernel());
        return null;
    }

    @Override
    public Void visit(Slice op) {
        ShapeEmitter.slice(ctx, node, op.axis(), op.start());
        return null;
    }

    @Override
    public Void visit(Concat op) {
        ShapeEmitter.concat(ctx, node, op.axis());
        return null;
    }

    @Override
    public Void visit(Pow op) {
        return elementwise();
    }

    @Override
    public Void visit(LeakyRelu op) {
        return elementwise();
    }

    @Override
    public Void visit(Elu op) {
        return elementwise();
    }

    @Override
    public Void visit(Dropout op) {
        ElementwiseEmitter.dropout(ctx, node, op);
        return null;
    }

    @Override
    public Void visit(Mse op) {
        SoftmaxEmitter.mse(ctx, node);
        return null;
    }
}
