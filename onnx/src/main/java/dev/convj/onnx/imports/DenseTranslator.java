package dev.convj.onnx.imports;

import ai.onnx.proto.OnnxMl.NodeProto;
import dev.convj.dsl.AffineLayer;
import dev.convj.dsl.DenseLayer;
import dev.convj.dsl.Network;
import dev.convj.onnx.OnnxFormatException;
import java.util.Arrays;
import java.util.List;

/** Gemm and MatMul as dense layers, and runs of Add, Sub, Mul and Div with constants as one affine layer. */
final class DenseTranslator {
    private final OnnxImporter in;
    private final OpTranslator ops;

    DenseTranslator(OnnxImporter importer, OpTranslator ops) {
        this.in = importer;
        this.ops = ops;
    }

    // ---- Dense layers and arithmetic with constants ----

    Network gemm(Network net, NodeProto n, String x, String out) {
        if (!n.getInput(0).equals(x)) {
            throw new OnnxFormatException(Nodes.describe(n) + ": multiplies a constant by the computed '" + x
                    + "'; ConvJ's dense layer computes x·Wᵀ with x first");
        }
        if (Attributes.integer(n, "transA", 0) != 0) {
            throw new OnnxFormatException(Nodes.describe(n) + ": transA=1 would mix the batch with the features;"
                    + " ConvJ's dense layer takes [N, features]");
        }
        int[] shape = requireFeatures(n, x);
        ConstTensor b = ops.constant(n, 1);
        boolean transB = Attributes.integer(n, "transB", 0) != 0;
        double alpha = Attributes.real(n, "alpha", 1), beta = Attributes.real(n, "beta", 1);
        float[] w = weight(n, b, transB, alpha, shape[1]);
        int units = w.length / shape[1];
        String name = in.name("fc");
        in.weights.put(name + ".weight", w);
        boolean bias = !ConstantFolder.absent(n, 2);
        if (bias) {
            in.weights.put(name + ".bias", bias(n, ops.constant(n, 2), units, beta));
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
            throw new OnnxFormatException(Nodes.describe(n) + ": input '" + x + "' has shape " + Shapes.text(shape)
                    + "; ConvJ's dense layer takes [N, features] (flatten first)");
        }
        return shape;
    }

    OpTranslator.Step matMul(Network net, NodeProto n, String x, String end) {
        if (!n.getInput(0).equals(x)) {
            throw new OnnxFormatException(Nodes.describe(n) + ": multiplies a constant by the computed '" + x
                    + "'; ConvJ's dense layer computes x·W with x first");
        }
        int[] shape = requireFeatures(n, x);
        float[] w = weight(n, ops.constant(n, 1), false, 1, shape[1]);
        int units = w.length / shape[1];
        String name = in.name("fc");
        in.weights.put(name + ".weight", w);
        String out = n.getOutput(0);
        NodeProto next = ops.soleReader(out, end);
        if (next != null && next.getOpType().equals("Add") && in.graph.dynamicInputs(next).size() == 1
                && next.getInputCount() == 2) {
            String other = next.getInput(0).equals(out) ? next.getInput(1) : next.getInput(0);
            ConstTensor c = in.folder.value(other, next);
            if (c.size() == units || c.size() == 1) {
                in.weights.put(name + ".bias", bias(next, c, units, 1));
                return new OpTranslator.Step(in.add(net, new DenseLayer(name, units, true), next.getOutput(0)),
                        next.getOutput(0));
            }
        }
        return new OpTranslator.Step(in.add(net, new DenseLayer(name, units, false), out), out);
    }

    /**
     * A run of Add, Sub, Mul and Div with constants as one affine layer y = x·scale + shift: e.g. (x − mean) / std,
     * or a convolution's output times a per-channel scale plus a shift.
     */
    OpTranslator.Step affine(Network net, NodeProto first, String x, String end) {
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
            NodeProto next = ops.soleReader(value, end);
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
        return new OpTranslator.Step(in.add(net, new AffineLayer(name, own, scaled, shifted), value), value);
    }

    /** A constant as a tensor of the per-image rank (batch axis dropped), checking that it broadcasts. */
    private static ConstTensor perImage(NodeProto n, ConstTensor c, int[] shape) {
        int rank = shape.length;
        if (c.rank() > rank) {
            throw new OnnxFormatException(Nodes.describe(n) + ": a constant of shape " + Arrays.toString(c.dims())
                    + " has more axes than the computed tensor " + Shapes.text(shape));
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
                        + " does not broadcast to " + Shapes.text(shape));
            }
        }
        return new ConstTensor(Arrays.copyOfRange(full, 1, rank), c.values(), c.integral());
    }
}
