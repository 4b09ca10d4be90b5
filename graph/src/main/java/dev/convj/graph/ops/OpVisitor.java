package dev.convj.graph.ops;

/** Dispatch over every op (Java 17 has no pattern-matching switch); kernels and emitters implement it. */
public interface OpVisitor<R> {
    R visit(Input op);

    R visit(Parameter op);

    R visit(Fill op);

    R visit(Conv op);

    R visit(ConvTranspose op);

    R visit(ConvWeightGrad op);

    R visit(MaxPool op);

    R visit(MaxPoolBackward op);

    R visit(MaxPoolSelect op);

    R visit(AvgPool op);

    R visit(AvgPoolBackward op);

    R visit(Dense op);

    R visit(MatMul op);

    R visit(Reshape op);

    R visit(BroadcastTo op);

    R visit(SumTo op);

    R visit(Sum op);

    R visit(Mean op);

    R visit(Add op);

    R visit(Sub op);

    R visit(Mul op);

    R visit(Scale op);

    R visit(Relu op);

    R visit(ReluBackward op);

    R visit(Step op);

    R visit(Sigmoid op);

    R visit(Tanh op);

    R visit(Softmax op);

    R visit(LogSoftmax op);

    R visit(OneHot op);

    R visit(SoftmaxCrossEntropy op);

    R visit(Mse op);

    R visit(Flip op);

    R visit(ChannelMask op);

    R visit(TiledConv op);

    R visit(TiledConvTranspose op);

    R visit(TiledConvWeightGrad op);

    R visit(Slice op);

    R visit(Concat op);

    R visit(Pow op);

    R visit(LeakyRelu op);

    R visit(Elu op);

    R visit(Dropout op);
}
