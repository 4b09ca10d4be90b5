package dev.convj.onnx.imports;

import ai.onnx.proto.OnnxMl.NodeProto;
import dev.convj.dsl.ActivationLayer;
import dev.convj.dsl.AffineLayer;
import dev.convj.dsl.BatchNormLayer;
import dev.convj.dsl.ConvLayer;
import dev.convj.dsl.ConvTransposeLayer;
import dev.convj.dsl.DenseLayer;
import dev.convj.dsl.FlattenLayer;
import dev.convj.dsl.GlobalPoolLayer;
import dev.convj.dsl.Network;
import dev.convj.dsl.PadLayer;
import dev.convj.dsl.PoolLayer;
import dev.convj.dsl.ReshapeLayer;
import dev.convj.dsl.UnaryOpLayer;
import dev.convj.graph.ops.Elu;
import dev.convj.graph.ops.LeakyRelu;
import dev.convj.graph.ops.Padding;
import dev.convj.onnx.OnnxFormatException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/** One ONNX node (sometimes with the nodes it absorbs, e.g. MatMul + Add) as ConvJ layers. */
final class OpTranslator {
    /** The network so far and the ONNX value it now computes. */
    record Step(Network network, String value) {}

    private final OnnxImporter in;

    OpTranslator(OnnxImporter importer) {
        this.in = importer;
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
            case "Conv" -> new Step(conv(net, n, x, out, null), out);
            case "ConvTranspose" -> new Step(convTranspose(net, n, x, out), out);
            case "MaxPool", "AveragePool" -> new Step(pool(net, n, x, out, null), out);
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
            case "Gemm" -> new Step(gemm(net, n, x, out), out);
            case "MatMul" -> matMul(net, n, x, end);
            case "Add", "Sub", "Mul", "Div" -> affine(net, n, x, end);
            case "Pad" -> pad(net, n, x, end);
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

    private ConstTensor constant(NodeProto n, int index) {
        return in.folder.value(n.getInput(index), n);
    }

    private int spatialRank(NodeProto n, String x, int expected) {
        int rank = in.shape(x).length - 2;
        if (rank < 1 || rank > 3 || expected >= 0 && rank != expected) {
            throw new OnnxFormatException(Nodes.describe(n) + ": input '" + x + "' has shape "
                    + shapeText(in.shape(x)) + "; ConvJ convolves and pools [N, C, spatial…] with 1 to 3 spatial axes"
                    + (expected >= 0 ? " matching the kernel's " + expected : ""));
        }
        return rank;
    }

    // ---- Convolutions ----

    /** A convolution; {@code extraPads} (before…, after…) come from a Pad node folded into it. */
    Network conv(Network net, NodeProto n, String x, String out, int[] extraPads) {
        ConstTensor w = constant(n, 1);
        int rank = spatialRank(n, x, w.rank() - 2);
        List<Integer> kernel = tail(w.dims(), 2);
        List<Integer> stride = Attributes.integers(n, "strides", ones(rank));
        List<Integer> dilation = Attributes.integers(n, "dilations", ones(rank));
        int groups = (int) Attributes.integer(n, "group", 1);
        int[] pads = pads(n, x, rank, kernel, stride, dilation, false);
        if (extraPads != null) {
            for (int i = 0; i < pads.length; i++) {
                pads[i] += extraPads[i];
            }
        }
        boolean bias = !ConstantFolder.absent(n, 2);
        String name = in.name("conv");
        ConvLayer layer = new ConvLayer(name, rank, w.dims()[0], kernel,
                new Padding.Explicit(slice(pads, 0, rank), slice(pads, rank, 2 * rank)), stride, dilation, groups, bias);
        in.weights.put(name + ".weight", w.floats());
        if (bias) {
            in.weights.put(name + ".bias", constant(n, 2).floats());
        }
        return in.add(net, layer, out);
    }

    /** Explicit pads (before…, after…) from pads or auto_pad, for a convolution or a pool. */
    private int[] pads(NodeProto n, String x, int rank, List<Integer> kernel, List<Integer> stride,
                       List<Integer> dilation, boolean transposed) {
        String auto = Attributes.text(n, "auto_pad", "NOTSET");
        int[] pads = new int[2 * rank];
        switch (auto) {
            case "NOTSET" -> {
                List<Integer> given = Attributes.integers(n, "pads", Collections.nCopies(2 * rank, 0));
                if (given.size() != 2 * rank) {
                    throw new OnnxFormatException(Nodes.describe(n) + ": pads " + given + " needs " + 2 * rank
                            + " values (begin and end of each spatial axis)");
                }
                for (int i = 0; i < pads.length; i++) {
                    pads[i] = given.get(i);
                }
            }
            case "VALID" -> { }
            case "SAME_UPPER", "SAME_LOWER" -> {
                int[] shape = in.shape(x);
                for (int i = 0; i < rank; i++) {
                    int size = shape[2 + i], s = stride.get(i), span = (kernel.get(i) - 1) * dilation.get(i) + 1;
                    int total = transposed ? Math.max(0, span - s) // output = input·stride
                            : Math.max(0, ((size + s - 1) / s - 1) * s + span - size);
                    int small = total / 2, large = total - small;
                    boolean upper = auto.equals("SAME_UPPER");
                    pads[i] = upper ? small : large;
                    pads[rank + i] = upper ? large : small;
                }
            }
            default -> throw new OnnxFormatException(Nodes.describe(n) + ": unknown auto_pad '" + auto + "'");
        }
        return pads;
    }

    private Network convTranspose(Network net, NodeProto n, String x, String out) {
        ConstTensor w = constant(n, 1);
        int rank = spatialRank(n, x, w.rank() - 2);
        List<Integer> kernel = tail(w.dims(), 2);
        List<Integer> stride = Attributes.integers(n, "strides", ones(rank));
        List<Integer> dilation = Attributes.integers(n, "dilations", ones(rank));
        List<Integer> outputPadding = new ArrayList<>(Attributes.integers(n, "output_padding",
                Collections.nCopies(rank, 0)));
        int groups = (int) Attributes.integer(n, "group", 1);
        List<Integer> outputShape = Attributes.integers(n, "output_shape", null);
        int[] pads;
        int[] shape = in.shape(x);
        if (outputShape != null) {
            List<Integer> spatial = outputShape.size() == rank ? outputShape
                    : outputShape.subList(outputShape.size() - rank, outputShape.size());
            pads = new int[2 * rank];
            boolean upper = Attributes.text(n, "auto_pad", "NOTSET").equals("SAME_UPPER");
            for (int i = 0; i < rank; i++) {
                int full = stride.get(i) * (shape[2 + i] - 1) + outputPadding.get(i)
                        + (kernel.get(i) - 1) * dilation.get(i) + 1;
                int total = full - spatial.get(i);
                if (total < 0) {
                    throw new OnnxFormatException(Nodes.describe(n) + ": output_shape " + outputShape + " is larger"
                            + " than the transposed convolution's full output " + full + " on spatial axis " + i);
                }
                // ONNX's rule: SAME_UPPER puts the smaller half first, anything else the larger.
                pads[i] = upper ? total / 2 : total - total / 2;
                pads[rank + i] = total - pads[i];
            }
        } else {
            pads = pads(n, x, rank, kernel, stride, dilation, true);
        }
        // ConvJ pads both sides alike (PyTorch's padding) and adds output_padding at the end: begin padding p and
        // output padding op + p_begin − p_end give the same output.
        List<Integer> padding = new ArrayList<>();
        for (int i = 0; i < rank; i++) {
            padding.add(pads[i]);
            int op = outputPadding.get(i) + pads[i] - pads[rank + i];
            if (op < 0 || op >= stride.get(i) && op >= dilation.get(i)) {
                throw new OnnxFormatException(Nodes.describe(n) + ": pads " + Arrays.toString(pads) + " with output"
                        + " padding " + outputPadding + " have no equivalent in ConvJ's transposed convolution (same"
                        + " padding before and after, output padding below the stride or dilation) on spatial axis "
                        + i);
            }
            outputPadding.set(i, op);
        }
        boolean bias = !ConstantFolder.absent(n, 2);
        String name = in.name("deconv");
        int filters = w.dims()[1] * groups;
        ConvTransposeLayer layer = new ConvTransposeLayer(name, rank, filters, kernel, padding, stride, outputPadding,
                dilation, groups, bias);
        in.weights.put(name + ".weight", w.floats());
        if (bias) {
            in.weights.put(name + ".bias", constant(n, 2).floats());
        }
        return in.add(net, layer, out);
    }

    // ---- Pooling ----

    /** A max or average pool; {@code extraPads} come from a zero Pad folded into an average pool. */
    Network pool(Network net, NodeProto n, String x, String out, int[] extraPads) {
        boolean max = n.getOpType().equals("MaxPool");
        List<Integer> kernel = Attributes.integers(n, "kernel_shape", null);
        if (kernel == null) {
            throw new OnnxFormatException(Nodes.describe(n) + ": kernel_shape is required");
        }
        int rank = spatialRank(n, x, kernel.size());
        List<Integer> stride = Attributes.integers(n, "strides", ones(rank));
        List<Integer> dilation = Attributes.integers(n, "dilations", ones(rank));
        if (dilation.stream().anyMatch(d -> d != 1)) {
            throw new OnnxFormatException(Nodes.describe(n) + ": dilations " + dilation + "; ConvJ pools without"
                    + " dilation (dilations of 1)");
        }
        boolean ceil = Attributes.integer(n, "ceil_mode", 0) != 0;
        boolean includePad = max || Attributes.integer(n, "count_include_pad", 0) != 0;
        int[] pads = pads(n, x, rank, kernel, stride, dilation, false);
        if (extraPads != null) {
            includePad = true; // the padding was data: the pool had none of its own
            pads = extraPads;
        }
        List<Integer> low = slice(pads, 0, rank), high = slice(pads, rank, 2 * rank);
        if (!low.equals(high) && (max || !includePad) && endPaddingIsCeilMode(in.shape(x), kernel, stride, pads, ceil)) {
            // Padding that is never counted and only adds windows at the end is what ceil mode does.
            high = low;
            ceil = true;
        }
        if (!low.equals(high)) {
            if (max || !includePad) {
                throw new OnnxFormatException(Nodes.describe(n) + ": pads " + Arrays.toString(pads) + " differ before"
                        + " and after; ConvJ's " + (max ? "max" : "average") + " pooling pads both sides alike");
            }
            // Counted zeros are data: pad them explicitly, then pool without padding.
            String padName = in.name("pad");
            List<Integer> before = new ArrayList<>(List.of(0)), after = new ArrayList<>(List.of(0));
            before.addAll(low);
            after.addAll(high);
            net = in.add(net, new PadLayer(padName, before, after, 0), padName);
            in.record(x, in.shape(padName));
            low = ones(rank).stream().map(i -> 0).toList();
            high = low;
        }
        boolean padded = low.stream().anyMatch(p -> p > 0);
        PoolLayer layer = new PoolLayer(in.name("pool"), max, rank, kernel, stride,
                padded ? new Padding.Explicit(low, high) : Padding.valid(), ceil, includePad);
        return in.add(net, layer, out);
    }

    /**
     * Whether pooling with pads (before, after), after ≥ before, gives the same windows as padding "before" on both
     * sides in ceil mode (which adds a last, partial window but never one that starts in the padding).
     */
    private static boolean endPaddingIsCeilMode(int[] shape, List<Integer> kernel, List<Integer> stride, int[] pads,
                                                boolean ceil) {
        int rank = kernel.size();
        for (int i = 0; i < rank; i++) {
            int n = shape[2 + i], k = kernel.get(i), s = stride.get(i), before = pads[i], after = pads[rank + i];
            if (after < before || before >= k) {
                return false;
            }
            int span = n + before + after - k;
            int explicit = (ceil ? Math.floorDiv(span + s - 1, s) : Math.floorDiv(span, s)) + 1;
            if (ceil && (explicit - 1) * s >= n + before) {
                explicit--;
            }
            int viaCeil = Math.floorDiv(n + 2 * before - k + s - 1, s) + 1;
            if ((viaCeil - 1) * s >= n + before) {
                viaCeil--;
            }
            if (explicit != viaCeil) {
                return false;
            }
        }
        return true;
    }

    private Step globalPool(Network net, NodeProto n, String x, String end) {
        spatialRank(n, x, -1);
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
            throw new OnnxFormatException(Nodes.describe(n) + ": reduces axes " + axes + " of " + shapeText(in.shape(x))
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
            throw new OnnxFormatException(Nodes.describe(n) + ": changes the batch axis 0 of " + shapeText(shape)
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
                            + shapeText(shape) + " is not 1");
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
            throw new OnnxFormatException(Nodes.describe(n) + ": over axis " + axis + " of " + shapeText(in.shape(x))
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
            throw new OnnxFormatException(Nodes.describe(n) + ": axis " + axis + " of " + shapeText(shape)
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
            throw new OnnxFormatException(Nodes.describe(n) + ": reshapes " + shapeText(shape) + " to "
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

    // ---- Dense layers and arithmetic with constants ----

    private Network gemm(Network net, NodeProto n, String x, String out) {
        if (!n.getInput(0).equals(x)) {
            throw new OnnxFormatException(Nodes.describe(n) + ": multiplies a constant by the computed '" + x
                    + "'; ConvJ's dense layer computes x·Wᵀ with x first");
        }
        if (Attributes.integer(n, "transA", 0) != 0) {
            throw new OnnxFormatException(Nodes.describe(n) + ": transA=1 would mix the batch with the features;"
                    + " ConvJ's dense layer takes [N, features]");
        }
        int[] shape = requireFeatures(n, x);
        ConstTensor b = constant(n, 1);
        boolean transB = Attributes.integer(n, "transB", 0) != 0;
        double alpha = Attributes.real(n, "alpha", 1), beta = Attributes.real(n, "beta", 1);
        float[] w = weight(n, b, transB, alpha, shape[1]);
        int units = w.length / shape[1];
        String name = in.name("fc");
        in.weights.put(name + ".weight", w);
        boolean bias = !ConstantFolder.absent(n, 2);
        if (bias) {
            in.weights.put(name + ".bias", bias(n, constant(n, 2), units, beta));
        }
        return in.add(net, new DenseLayer(name, units, bias), out);
    }

    /** A dense weight [units, in] from B ([in, units], or [units, in] when transposed), times alpha. */
    private static float[] weight(NodeProto n, ConstTensor b, boolean transposed, double alpha, int features) {
        if (b.rank() != 2 || b.dims()[transposed ? 1 : 0] != features) {
            throw new OnnxFormatException(Nodes.describe(n) + ": weight of shape " + Arrays.toString(b.dims())
                    + " does not fit " + features + " input features" + (transposed ? " (transposed)" : ""));
        }
        int units = b.dims()[transposed ? 0 : 1];
        float[] w = new float[units * features];
        for (int u = 0; u < units; u++) {
            for (int f = 0; f < features; f++) {
                w[u * features + f] = (float) (alpha * b.values()[transposed ? u * features + f : f * units + u]);
            }
        }
        return w;
    }

    /** A bias [units] from a constant that broadcasts to [N, units] without depending on the row, times beta. */
    private static float[] bias(NodeProto n, ConstTensor c, int units, double beta) {
        int[] d = c.dims();
        boolean perUnit = c.size() == 1 || c.size() == units && (d.length == 1 || d.length == 2 && d[0] == 1);
        if (!perUnit) {
            throw new OnnxFormatException(Nodes.describe(n) + ": a bias of shape " + Arrays.toString(d) + " does not"
                    + " broadcast per unit to [N, " + units + "]; ConvJ's dense bias is one value per unit");
        }
        float[] out = new float[units];
        for (int u = 0; u < units; u++) {
            out[u] = (float) (beta * c.values()[c.size() == 1 ? 0 : u]);
        }
        return out;
    }

    private int[] requireFeatures(NodeProto n, String x) {
        int[] shape = in.shape(x);
        if (shape.length != 2) {
            throw new OnnxFormatException(Nodes.describe(n) + ": input '" + x + "' has shape " + shapeText(shape)
                    + "; ConvJ's dense layer takes [N, features] (flatten first)");
        }
        return shape;
    }

    private Step matMul(Network net, NodeProto n, String x, String end) {
        if (!n.getInput(0).equals(x)) {
            throw new OnnxFormatException(Nodes.describe(n) + ": multiplies a constant by the computed '" + x
                    + "'; ConvJ's dense layer computes x·W with x first");
        }
        int[] shape = requireFeatures(n, x);
        float[] w = weight(n, constant(n, 1), false, 1, shape[1]);
        int units = w.length / shape[1];
        String name = in.name("fc");
        in.weights.put(name + ".weight", w);
        String out = n.getOutput(0);
        NodeProto next = soleReader(out, end);
        if (next != null && next.getOpType().equals("Add") && in.graph.dynamicInputs(next).size() == 1
                && next.getInputCount() == 2) {
            String other = next.getInput(0).equals(out) ? next.getInput(1) : next.getInput(0);
            ConstTensor c = in.folder.value(other, next);
            if (c.size() == units || c.size() == 1) {
                in.weights.put(name + ".bias", bias(next, c, units, 1));
                return new Step(in.add(net, new DenseLayer(name, units, true), next.getOutput(0)),
                        next.getOutput(0));
            }
        }
        return new Step(in.add(net, new DenseLayer(name, units, false), out), out);
    }

    /**
     * A run of Add, Sub, Mul and Div with constants as one affine layer y = x·scale + shift: e.g. (x − mean) / std,
     * or a convolution's output times a per-channel scale plus a shift.
     */
    private Step affine(Network net, NodeProto first, String x, String end) {
        int[] shape = in.shape(x);
        int rank = shape.length - 1;
        int[] p = new int[rank];
        Arrays.fill(p, 1);
        ConstTensor scale = new ConstTensor(p.clone(), new double[] {1}, false);
        ConstTensor shift = new ConstTensor(p.clone(), new double[] {0}, false);
        boolean scaled = false, shifted = false;
        NodeProto n = first;
        String value = x;
        while (true) {
            if (n.getInputCount() != 2 || n.getInput(0).equals(n.getInput(1))) {
                throw new OnnxFormatException(Nodes.describe(n) + ": ConvJ imports " + n.getOpType() + " of a computed"
                        + " tensor and a constant, or an Add joining two branches");
            }
            boolean constantFirst = !n.getInput(0).equals(value);
            ConstTensor c = perImage(n, in.folder.value(n.getInput(constantFirst ? 0 : 1), n), shape);
            int[] grown = ConstTensor.broadcast(scale.dims(), c.dims());
            scale = new ConstTensor(grown, scale.expandTo(grown), false);
            shift = new ConstTensor(grown, shift.expandTo(grown), false);
            double[] k = c.expandTo(grown), s = scale.values(), t = shift.values();
            for (int i = 0; i < k.length; i++) {
                switch (n.getOpType()) {
                    case "Add" -> t[i] += k[i];
                    case "Sub" -> {
                        if (constantFirst) {
                            s[i] = -s[i];
                            t[i] = k[i] - t[i];
                        } else {
                            t[i] -= k[i];
                        }
                    }
                    case "Mul" -> {
                        s[i] *= k[i];
                        t[i] *= k[i];
                    }
                    default -> {
                        if (constantFirst) {
                            throw new OnnxFormatException(Nodes.describe(n) + ": divides a constant by a computed"
                                    + " tensor; ConvJ has no reciprocal layer");
                        }
                        s[i] /= k[i];
                        t[i] /= k[i];
                    }
                }
            }
            scaled |= n.getOpType().equals("Mul") || n.getOpType().equals("Div")
                    || n.getOpType().equals("Sub") && constantFirst;
            shifted |= n.getOpType().equals("Add") || n.getOpType().equals("Sub");
            value = n.getOutput(0);
            NodeProto next = soleReader(value, end);
            if (next == null || !List.of("Add", "Sub", "Mul", "Div").contains(next.getOpType())
                    || in.graph.dynamicInputs(next).size() != 1 || next.getInputCount() != 2
                    || next.getInput(0).equals(next.getInput(1))) {
                break;
            }
            n = next;
        }
        String name = in.name("affine");
        if (scaled) {
            in.weights.put(name + ".scale", scale.floats());
        }
        if (shifted) {
            in.weights.put(name + ".shift", shift.floats());
        }
        List<Integer> own = Arrays.stream(scale.dims()).boxed().toList();
        return new Step(in.add(net, new AffineLayer(name, own, scaled, shifted), value), value);
    }

    /** A constant as a tensor of the per-image rank (batch axis dropped), checking that it broadcasts. */
    private static ConstTensor perImage(NodeProto n, ConstTensor c, int[] shape) {
        int rank = shape.length;
        if (c.rank() > rank) {
            throw new OnnxFormatException(Nodes.describe(n) + ": a constant of shape " + Arrays.toString(c.dims())
                    + " has more axes than the computed tensor " + shapeText(shape));
        }
        int[] full = new int[rank];
        Arrays.fill(full, 1);
        System.arraycopy(c.dims(), 0, full, rank - c.rank(), c.rank());
        if (full[0] != 1) {
            throw new OnnxFormatException(Nodes.describe(n) + ": a constant of shape " + Arrays.toString(c.dims())
                    + " differs along the batch axis; ConvJ applies constants alike to every image");
        }
        for (int a = 1; a < rank; a++) {
            if (full[a] != 1 && full[a] != shape[a]) {
                throw new OnnxFormatException(Nodes.describe(n) + ": a constant of shape " + Arrays.toString(c.dims())
                        + " does not broadcast to " + shapeText(shape));
            }
        }
        return new ConstTensor(Arrays.copyOfRange(full, 1, rank), c.values(), c.integral());
    }

    private Step pad(Network net, NodeProto n, String x, String end) {
        int[] shape = in.shape(x);
        int rank = shape.length;
        String mode = Attributes.text(n, "mode", "constant");
        if (!mode.equals("constant")) {
            throw new OnnxFormatException(Nodes.describe(n) + ": mode '" + mode + "'; ConvJ pads with a constant");
        }
        long[] given = ConstantFolder.absent(n, 1) ? Attributes.integers(n, "pads", List.of()).stream()
                .mapToLong(Integer::longValue).toArray() : constant(n, 1).longs();
        double value = ConstantFolder.absent(n, 2) ? Attributes.real(n, "value", 0) : constant(n, 2).values()[0];
        int[] pads = new int[2 * rank];
        if (!ConstantFolder.absent(n, 3)) {
            long[] axes = constant(n, 3).longs();
            for (int i = 0; i < axes.length; i++) {
                int a = (int) (axes[i] < 0 ? axes[i] + rank : axes[i]);
                pads[a] = (int) given[i];
                pads[rank + a] = (int) given[axes.length + i];
            }
        } else {
            if (given.length != 2 * rank) {
                throw new OnnxFormatException(Nodes.describe(n) + ": pads " + Arrays.toString(given) + " needs "
                        + 2 * rank + " values for a rank-" + rank + " tensor");
            }
            for (int i = 0; i < pads.length; i++) {
                pads[i] = (int) given[i];
            }
        }
        if (pads[0] != 0 || pads[rank] != 0) {
            throw new OnnxFormatException(Nodes.describe(n) + ": pads the batch axis; ConvJ pads every axis but it");
        }
        String out = n.getOutput(0);
        if (Arrays.stream(pads).allMatch(v -> v == 0)) {
            in.record(out, shape);
            return new Step(net, out);
        }
        // A zero pad of the spatial axes right before a convolution or an average pool without its own padding is
        // that layer's padding, as the network was written (PyTorch exports avg_pool2d's padding this way).
        NodeProto next = soleReader(out, end);
        boolean spatialOnly = pads[1] == 0 && pads[rank + 1] == 0 && value == 0 && rank > 2;
        if (spatialOnly && next != null && next.getInput(0).equals(out)) {
            int[] spatial = new int[2 * (rank - 2)];
            for (int i = 0; i < rank - 2; i++) {
                spatial[i] = pads[2 + i];
                spatial[rank - 2 + i] = pads[rank + 2 + i];
            }
            if (next.getOpType().equals("Conv")) {
                in.record(out, padded(shape, pads));
                return new Step(conv(net, next, out, next.getOutput(0), spatial), next.getOutput(0));
            }
            if (next.getOpType().equals("AveragePool") && Attributes.text(next, "auto_pad", "NOTSET").equals("NOTSET")
                    && Attributes.integers(next, "pads", List.of()).stream().allMatch(v -> v == 0)) {
                in.record(out, shape); // the pool sees the unpadded tensor and pads it itself
                return new Step(pool(net, next, out, next.getOutput(0), spatial), next.getOutput(0));
            }
        }
        for (int v : pads) {
            if (v < 0) {
                throw new OnnxFormatException(Nodes.describe(n) + ": negative pads " + Arrays.toString(pads)
                        + " crop; ConvJ pads only");
            }
        }
        return new Step(in.add(net, new PadLayer(in.name("pad"), slice(pads, 1, rank), slice(pads, rank + 1, 2 * rank),
                value), out), out);
    }

    private static int[] padded(int[] shape, int[] pads) {
        int[] out = shape.clone();
        for (int a = 1; a < shape.length; a++) {
            out[a] += pads[a] + pads[shape.length + a];
        }
        return out;
    }

    /** The one node that reads {@code value}, when exactly one does and the value is not where the walk must stop. */
    private NodeProto soleReader(String value, String end) {
        if (value.equals(end) || value.equals(in.graph.output())) {
            return null;
        }
        List<NodeProto> readers = in.graph.readers(value);
        return readers.size() == 1 && in.graph.dynamicInputs(readers.get(0)).size() == 1 ? readers.get(0) : null;
    }

    // ---- Small helpers ----

    private static List<Integer> ones(int rank) {
        return Collections.nCopies(rank, 1);
    }

    private static List<Integer> tail(int[] dims, int from) {
        return Arrays.stream(dims, from, dims.length).boxed().toList();
    }

    private static List<Integer> slice(int[] values, int from, int to) {
        return Arrays.stream(values, from, to).boxed().toList();
    }

    static String shapeText(int[] shape) {
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < shape.length; i++) {
            parts.add(shape[i] == (int) ConstTensor.BATCH ? "N" : String.valueOf(shape[i]));
        }
        return "[" + String.join(", ", parts) + "]";
    }
}
