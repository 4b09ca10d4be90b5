package dev.convj.onnx.imports;

import ai.onnx.proto.OnnxMl.NodeProto;
import dev.convj.dsl.ConvLayer;
import dev.convj.dsl.ConvTransposeLayer;
import dev.convj.dsl.Network;
import dev.convj.dsl.PadLayer;
import dev.convj.dsl.PoolLayer;
import dev.convj.graph.ops.Padding;
import dev.convj.onnx.OnnxFormatException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/** Conv, ConvTranspose, MaxPool, AveragePool and Pad (folded into the convolution or pool it feeds, when it can). */
final class ConvTranslator {
    private final OnnxImporter in;
    private final OpTranslator ops;

    ConvTranslator(OnnxImporter importer, OpTranslator ops) {
        this.in = importer;
        this.ops = ops;
    }

    int spatialRank(NodeProto n, String x, int expected) {
        int rank = in.shape(x).length - 2;
        if (rank < 1 || rank > 3 || expected >= 0 && rank != expected) {
            throw new OnnxFormatException(Nodes.describe(n) + ": input '" + x + "' has shape "
                    + Shapes.text(in.shape(x)) + "; ConvJ convolves and pools [N, C, spatial…] with 1 to 3 spatial axes"
                    + (expected >= 0 ? " matching the kernel's " + expected : ""));
        }
        return rank;
    }

    // ---- Convolutions ----

    /** A convolution; {@code extraPads} (before…, after…) come from a Pad node folded into it. */
    Network conv(Network net, NodeProto n, String x, String out, int[] extraPads) {
        ConstTensor w = ops.constant(n, 1);
        int rank = spatialRank(n, x, w.rank() - 2);
        List<Integer> kernel = Shapes.tail(w.dims(), 2);
        List<Integer> stride = Attributes.integers(n, "strides", Shapes.ones(rank));
        List<Integer> dilation = Attributes.integers(n, "dilations", Shapes.ones(rank));
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
                new Padding.Explicit(Shapes.slice(pads, 0, rank), Shapes.slice(pads, rank, 2 * rank)), stride, dilation, groups, bias);
        in.weights.put(name + ".weight", w.floats());
        if (bias) {
            in.weights.put(name + ".bias", ops.constant(n, 2).floats());
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

    Network convTranspose(Network net, NodeProto n, String x, String out) {
        ConstTensor w = ops.constant(n, 1);
        int rank = spatialRank(n, x, w.rank() - 2);
        List<Integer> kernel = Shapes.tail(w.dims(), 2);
        List<Integer> stride = Attributes.integers(n, "strides", Shapes.ones(rank));
        List<Integer> dilation = Attributes.integers(n, "dilations", Shapes.ones(rank));
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
        // output padding op + p_begin − p_end give the same output; below zero, the end is cropped afterwards.
        List<Integer> padding = new ArrayList<>();
        List<Integer> crop = new ArrayList<>(Collections.nCopies(rank + 1, 0));
        for (int i = 0; i < rank; i++) {
            padding.add(pads[i]);
            int op = outputPadding.get(i) + pads[i] - pads[rank + i];
            if (op >= stride.get(i) && op >= dilation.get(i)) {
                throw new OnnxFormatException(Nodes.describe(n) + ": pads " + Arrays.toString(pads) + " with output"
                        + " padding " + outputPadding + " have no equivalent in ConvJ's transposed convolution (same"
                        + " padding before and after, output padding below the stride or dilation) on spatial axis "
                        + i);
            }
            outputPadding.set(i, Math.max(op, 0));
            crop.set(i + 1, Math.min(op, 0));
        }
        boolean bias = !ConstantFolder.absent(n, 2);
        String name = in.name("deconv");
        int filters = w.dims()[1] * groups;
        ConvTransposeLayer layer = new ConvTransposeLayer(name, rank, filters, kernel, padding, stride, outputPadding,
                dilation, groups, bias);
        in.weights.put(name + ".weight", w.floats());
        if (bias) {
            in.weights.put(name + ".bias", ops.constant(n, 2).floats());
        }
        if (crop.stream().allMatch(c -> c == 0)) {
            return in.add(net, layer, out);
        }
        net = in.add(net, layer, name);
        return in.add(net, new PadLayer(in.name("pad"), Collections.nCopies(rank + 1, 0), crop, 0), out);
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
        List<Integer> stride = Attributes.integers(n, "strides", Shapes.ones(rank));
        List<Integer> dilation = Attributes.integers(n, "dilations", Shapes.ones(rank));
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
        List<Integer> low = Shapes.slice(pads, 0, rank), high = Shapes.slice(pads, rank, 2 * rank);
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
            low = Shapes.ones(rank).stream().map(i -> 0).toList();
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

    OpTranslator.Step pad(Network net, NodeProto n, String x, String end) {
        int[] shape = in.shape(x);
        int rank = shape.length;
        String mode = Attributes.text(n, "mode", "constant");
        if (!mode.equals("constant")) {
            throw new OnnxFormatException(Nodes.describe(n) + ": mode '" + mode + "'; ConvJ pads with a constant");
        }
        long[] given = ConstantFolder.absent(n, 1) ? Attributes.integers(n, "pads", List.of()).stream()
                .mapToLong(Integer::longValue).toArray() : ops.constant(n, 1).longs();
        double value = ConstantFolder.absent(n, 2) ? Attributes.real(n, "value", 0) : ops.constant(n, 2).values()[0];
        int[] pads = new int[2 * rank];
        if (!ConstantFolder.absent(n, 3)) {
            long[] axes = ops.constant(n, 3).longs();
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
            return new OpTranslator.Step(net, out);
        }
        // A zero pad of the spatial axes right before a convolution or an average pool without its own padding is
        // that layer's padding, as the network was written (PyTorch exports avg_pool2d's padding this way).
        NodeProto next = ops.soleReader(out, end);
        boolean spatialOnly = pads[1] == 0 && pads[rank + 1] == 0 && value == 0 && rank > 2
                && Arrays.stream(pads).allMatch(v -> v >= 0);
        if (spatialOnly && next != null && next.getInput(0).equals(out)) {
            int[] spatial = new int[2 * (rank - 2)];
            for (int i = 0; i < rank - 2; i++) {
                spatial[i] = pads[2 + i];
                spatial[rank - 2 + i] = pads[rank + 2 + i];
            }
            if (next.getOpType().equals("Conv")) {
                in.record(out, padded(shape, pads));
                return new OpTranslator.Step(conv(net, next, out, next.getOutput(0), spatial), next.getOutput(0));
            }
            if (next.getOpType().equals("AveragePool") && Attributes.text(next, "auto_pad", "NOTSET").equals("NOTSET")
                    && Attributes.integers(next, "pads", List.of()).stream().allMatch(v -> v == 0)) {
                in.record(out, shape); // the pool sees the unpadded tensor and pads it itself
                return new OpTranslator.Step(pool(net, next, out, next.getOutput(0), spatial), next.getOutput(0));
            }
        }
        return new OpTranslator.Step(in.add(net, new PadLayer(in.name("pad"), Shapes.slice(pads, 1, rank), Shapes.slice(pads, rank + 1, 2 * rank),
                value), out), out);
    }

    private static int[] padded(int[] shape, int[] pads) {
        int[] out = shape.clone();
        for (int a = 1; a < shape.length; a++) {
            out[a] += pads[a] + pads[shape.length + a];
        }
        return out;
    }
}
