package dev.convj.onnx.imports;

import ai.onnx.proto.OnnxMl.NodeProto;
import dev.convj.dsl.ActivationLayer;
import dev.convj.dsl.BatchNormLayer;
import dev.convj.dsl.FlattenLayer;
import dev.convj.dsl.GlobalPoolLayer;
import dev.convj.dsl.Network;
import dev.convj.dsl.ReshapeLayer;
import dev.convj.dsl.UnaryOpLayer;
import dev.convj.graph.ops.Elu;
import dev.convj.graph.ops.LeakyRelu;
import dev.convj.onnx.OnnxFormatException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * One ONNX node (sometimes with the nodes it absorbs, e.g. MatMul + Add) as ConvJ layers: the dispatch, and the
 * normalization, activation, global pooling and shape operators; convolutions and pools are {@link ConvTranslator}'s,
 * dense layers and arithmetic {@link DenseTranslator}'s.
 */
final class OpTranslator {
    /** The network so far and the ONNX value it now computes. */
    record Step(Network network, String value) {}

    private final OnnxImporter in;
    private final ConvTranslator convs;
    private final DenseTranslator dense;

    OpTranslator(OnnxImporter importer) {
        this.in = importer;
        this.convs = new ConvTranslator(importer, this);
        this.dense = new DenseTranslator(importer, this);
    }

    /** Translates {@code n}, whose one dynamic input is {@code x}; never reads past {@code end}. */
    Step translate(Network net, NodeProto n, String x, String end) {
        if (n.getDomain().length() > 0 && !n.getDomain().equals("ai.onnx")) {
            throw OnnxImporter.unsupported(n);
        }
        for (int i = 1; i < n.getOutputCount(); i++) {
            if (!n.getOutput(i).isEmpty() && !in.graph.readers(n.getOutput(i)).isEmpty()
                    || n.getOutput(i).equals(in.graph.output())) {
                throw new OnnxFormatException(Nodes.describe(n) + ": its output " + (i + 1) + " ('" + n.getOutput(i)
                        + "') is read; ConvJ imports the first output only (inference)");
            }
        }
        String out = n.getOutput(0);
        return switch (n.getOpType()) {
            case "Conv" -> new Step(convs.conv(net, n, x, out, null), out);
            case "ConvTranspose" -> new Step(convs.convTranspose(net, n, x, out), out);
            case "MaxPool", "AveragePool" -> new Step(convs.pool(net, n, x, out, null), out);
            case "GlobalAveragePool", "GlobalMaxPool" -> globalPool(net, n, x, end);
            case "ReduceMean", "ReduceMax" -> reduce(net, n, x, end);
            case "Squeeze", "Unsqueeze" -> new Step(squeeze(net, n, x, out), out);
            case "BatchNormalization" -> new Step(batchNorm(net, n, out), out);
            case "Relu" -> activation(net, ActivationLayer.Function.RELU, "relu", out);
            case "Sigmoid" -> activation(net, ActivationLayer.Function.SIGMOID, "sigmoid", out);
            case "Tanh" -> activation(net, ActivationLayer.Function.TANH, "tanh", out);
            case "Softmax", "LogSoftmax" -> softmax(net, n, x, out);
            case "LeakyRelu" -> new Step(in.add(net, new UnaryOpLayer(in.name("leaky_relu"), "leaky_relu",
                    new LeakyRelu(Attributes.real(n, "alpha", 0.01))), out), out);
            case "Elu" -> new Step(in.add(net, new UnaryOpLayer(in.name("elu"), "elu",
                    new Elu(Attributes.real(n, "alpha", 1.0))), out), out);
            case "Dropout", "Identity" -> {
                in.record(out, in.shape(x));
                yield new Step(net, out);
            }
            case "Flatten" -> new Step(flatten(net, n, x, out), out);
            case "Reshape" -> new Step(reshape(net, n, x, out), out);
            case "Gemm" -> new Step(dense.gemm(net, n, x, out), out);
            case "MatMul" -> dense.matMul(net, n, x, end);
            case "Add", "Sub", "Mul", "Div" -> dense.affine(net, n, x, end);
            case "Pad" -> convs.pad(net, n, x, end);
            case "Concat" -> {
                if (n.getInputCount() != 1) {
                    throw new OnnxFormatException(Nodes.describe(n) + ": concatenates computed tensors with constants;"
                            + " ConvJ concatenates branches of the network only");
                }
                in.record(out, in.shape(x));
                yield new Step(net, out);
            }
            default -> throw OnnxImporter.unsupported(n);
        };
    }

    ConstTensor constant(NodeProto n, int index) {
        return in.folder.value(n.getInput(index), n);
    }

    private Step globalPool(Network net, NodeProto n, String x, String end) {
        convs.spatialRank(n, x, -1);
        return pooledWhole(net, n, x, end, n.getOpType().equals("GlobalMaxPool"), true);
    }

    /** ReduceMean or ReduceMax over every spatial axis: global pooling, as {@code x.mean([2, 3])} is written. */
    private Step reduce(Network net, NodeProto n, String x, String end) {
        int rank = in.shape(x).length;
        List<Integer> axes = Attributes.integers(n, "axes", null);
        if (axes == null && !ConstantFolder.absent(n, 1)) {
            axes = Arrays.stream(constant(n, 1).longs()).mapToInt(l -> (int) l).boxed().toList();
        }
        List<Integer> spatial = new ArrayList<>();
        for (int a = 2; a < rank; a++) {
            spatial.add(a);
        }
        List<Integer> normalized = axes == null ? null : axes.stream().map(a -> a < 0 ? a + rank : a).sorted().toList();
        if (rank < 3 || !spatial.equals(normalized)) {
            throw new OnnxFormatException(Nodes.describe(n) + ": reduces axes " + axes + " of " + Shapes.text(in.shape(x))
                    + "; ConvJ reduces every spatial axis at once (global pooling), axes " + spatial);
        }
        return pooledWhole(net, n, x, end, n.getOpType().equals("ReduceMax"),
                Attributes.integer(n, "keepdims", 1) != 0);
    }

    /** Global pooling; ONNX keeps [N, C, 1, …] when {@code keepDims}, ConvJ gives [N, C], reshaped back if needed. */
    private Step pooledWhole(Network net, NodeProto n, String x, String end, boolean max, boolean keepDims) {
        int[] shape = in.shape(x);
        String out = n.getOutput(0);
        net = in.add(net, new GlobalPoolLayer(in.name("gpool"), max), out);
        if (!keepDims) {
            return new Step(net, out);
        }
        NodeProto next = soleReader(out, end);
        if (next != null && flattensToFeatures(next, shape[1])) {
            // ONNX keeps [N, C, 1, 1] and flattens; ConvJ's global pool already gives [N, C].
            return new Step(in.record(net, next.getOutput(0)), next.getOutput(0));
        }
        List<Integer> keep = new ArrayList<>(List.of(shape[1]));
        keep.addAll(Collections.nCopies(shape.length - 2, 1));
        return new Step(in.add(net, new ReshapeLayer(in.name("reshape"), keep), out), out);
    }

    /** Whether {@code n} turns [N, C, 1, …] into [N, C]: Flatten(axis 1), or a Reshape to [batch, C] or [batch, -1]. */
    private boolean flattensToFeatures(NodeProto n, int channels) {
        if (n.getOpType().equals("Flatten")) {
            return Attributes.integer(n, "axis", 1) == 1;
        }
        if (!n.getOpType().equals("Reshape") || in.graph.isDynamic(n.getInput(1))) {
            return false;
        }
        long[] t = constant(n, 1).longs();
        boolean batchFirst = t.length == 2 && (t[0] == (long) ConstTensor.BATCH || t[0] == 0 || t[0] == -1 && t[1] > 0);
        return batchFirst && (t[1] == channels || t[1] == -1 && t[0] != -1);
    }

    /** Squeeze or Unsqueeze of axes after the batch: a reshape. */
    private Network squeeze(Network net, NodeProto n, String x, String out) {
        int[] shape = in.shape(x);
        List<Integer> axes = Attributes.integers(n, "axes", null);
        if (axes == null && !ConstantFolder.absent(n, 1)) {
            axes = Arrays.stream(constant(n, 1).longs()).mapToInt(l -> (int) l).boxed().toList();
        }
        boolean unsqueeze = n.getOpType().equals("Unsqueeze");
        List<Integer> dims = new ArrayList<>();
        for (int i = 1; i < shape.length; i++) {
            dims.add(shape[i]);
        }
        int rank = unsqueeze ? shape.length + (axes == null ? 0 : axes.size()) : shape.length;
        List<Integer> sorted = axes == null ? null : axes.stream().map(a -> a < 0 ? a + rank : a).sorted().toList();
        if (sorted == null && unsqueeze || sorted != null && sorted.contains(0)) {
            throw new OnnxFormatException(Nodes.describe(n) + ": changes the batch axis 0 of " + Shapes.text(shape)
                    + "; ConvJ keeps it");
        }
        if (unsqueeze) {
            for (int a : sorted) {
                dims.add(a - 1, 1);
            }
        } else if (sorted == null) {
            dims.removeIf(d -> d == 1);
        } else {
            for (int i = sorted.size() - 1; i >= 0; i--) {
                if (dims.get(sorted.get(i) - 1) != 1) {
                    throw new OnnxFormatException(Nodes.describe(n) + ": axis " + sorted.get(i) + " of "
                            + Shapes.text(shape) + " is not 1");
                }
                dims.remove(sorted.get(i) - 1);
            }
        }
        if (dims.size() == 1 && shape.length > 2) {
            return in.add(net, new FlattenLayer(in.name("flatten")), out);
        }
        return in.add(net, new ReshapeLayer(in.name("reshape"), dims), out);
    }

    // ---- Normalization and activations ----

    private Network batchNorm(Network net, NodeProto n, String out) {
        if (Attributes.integer(n, "training_mode", 0) != 0) {
            throw new OnnxFormatException(Nodes.describe(n) + ": training_mode=1; ConvJ imports batch normalization"
                    + " for inference (export the model in eval mode)");
        }
        // ONNX keeps (1 − PyTorch's momentum); in decimal, so that 0.9 gives 0.1 and not 0.09999999999999998.
        double momentum = java.math.BigDecimal.ONE.subtract(java.math.BigDecimal.valueOf(
                Attributes.real(n, "momentum", 0.9))).doubleValue();
        String name = in.name("bn");
        BatchNormLayer layer = new BatchNormLayer(name, Attributes.real(n, "epsilon", 1e-5),
                momentum > 0 && momentum <= 1 ? momentum : 0.1);
        in.weights.put(name + ".weight", constant(n, 1).floats());
        in.weights.put(name + ".bias", constant(n, 2).floats());
        in.weights.put(name + ".running_mean", constant(n, 3).floats());
        in.weights.put(name + ".running_var", constant(n, 4).floats());
        return in.add(net, layer, out);
    }

    private Step activation(Network net, ActivationLayer.Function f, String prefix, String out) {
        return new Step(in.add(net, new ActivationLayer(in.name(prefix), f), out), out);
    }

    private Step softmax(Network net, NodeProto n, String x, String out) {
        int rank = in.shape(x).length;
        long axis = Attributes.integer(n, "axis", in.opset >= 13 ? -1 : 1);
        long a = axis < 0 ? axis + rank : axis;
        if (a != 1 || rank != 2) {
            throw new OnnxFormatException(Nodes.describe(n) + ": over axis " + axis + " of " + Shapes.text(in.shape(x))
                    + "; ConvJ's " + n.getOpType().toLowerCase() + " takes [N, classes] along axis 1 (flatten first)");
        }
        boolean log = n.getOpType().equals("LogSoftmax");
        return activation(net, log ? ActivationLayer.Function.LOG_SOFTMAX : ActivationLayer.Function.SOFTMAX,
                log ? "log_softmax" : "softmax", out);
    }

    // ---- Shapes ----

    private Network flatten(Network net, NodeProto n, String x, String out) {
        int[] shape = in.shape(x);
        long axis = Attributes.integer(n, "axis", 1);
        long a = axis < 0 ? axis + shape.length : axis;
        if (a != 1) {
            throw new OnnxFormatException(Nodes.describe(n) + ": axis " + axis + " of " + Shapes.text(shape)
                    + " would merge the batch axis with others; ConvJ flattens every axis after the batch (axis 1)");
        }
        if (shape.length == 2) {
            in.record(out, shape);
            return net;
        }
        return in.add(net, new FlattenLayer(in.name("flatten")), out);
    }

    private Network reshape(Network net, NodeProto n, String x, String out) {
        int[] shape = in.shape(x);
        long[] target = constant(n, 1).longs();
        boolean allowZero = Attributes.integer(n, "allowzero", 0) != 0;
        int perImage = 1;
        for (int i = 1; i < shape.length; i++) {
            perImage *= shape[i];
        }
        if (target.length < 1) {
            throw new OnnxFormatException(Nodes.describe(n) + ": reshapes to a scalar; ConvJ keeps the batch axis");
        }
        long first = target[0];
        boolean keepsBatch = first == (long) ConstTensor.BATCH || first == 0 && !allowZero;
        long[] rest = Arrays.copyOfRange(target, 1, target.length);
        for (int i = 0; i < rest.length; i++) {
            if (rest[i] == (long) ConstTensor.BATCH) {
                throw new OnnxFormatException(Nodes.describe(n) + ": moves the batch extent to axis " + (i + 1)
                        + "; ConvJ keeps the batch on axis 0");
            }
            if (rest[i] == 0 && !allowZero) {
                rest[i] = i + 1 < shape.length ? shape[i + 1] : 0;
            }
        }
        if (!keepsBatch && first == -1) {
            keepsBatch = Arrays.stream(rest).allMatch(r -> r > 0)
                    && Arrays.stream(rest).reduce(1, (p, q) -> p * q) == perImage;
        }
        if (!keepsBatch) {
            throw new OnnxFormatException(Nodes.describe(n) + ": reshapes " + Shapes.text(shape) + " to "
                    + Arrays.toString(target) + ", which changes the batch axis; ConvJ keeps axis 0 as the batch"
                    + " (use 0 or -1 there, or x.view(x.size(0), ...))");
        }
        int[] perImageShape = Arrays.copyOfRange(shape, 1, shape.length);
        int[] dims = Shapes.resolveReshape(rest, new int[] {perImage}, true, Nodes.describe(n));
        List<Integer> list = Arrays.stream(dims).boxed().toList();
        if (Arrays.equals(dims, perImageShape)) {
            in.record(out, shape);
            return net;
        }
        if (dims.length == 1 && shape.length > 2) {
            return in.add(net, new FlattenLayer(in.name("flatten")), out);
        }
        return in.add(net, new ReshapeLayer(in.name("reshape"), list), out);
    }

    /** The one node that reads {@code value}, when exactly one does and the value is not where the walk must stop. */
    NodeProto soleReader(String value, String end) {
        if (value.equals(end) || value.equals(in.graph.output())) {
            return null;
        }
        List<NodeProto> readers = in.graph.readers(value);
        return readers.size() == 1 && in.graph.dynamicInputs(readers.get(0)).size() == 1 ? readers.get(0) : null;
    }
}
