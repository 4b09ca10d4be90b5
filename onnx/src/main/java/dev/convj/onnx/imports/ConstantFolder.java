package dev.convj.onnx.imports;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import dev.convj.onnx.OnnxFormatException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Computes, at import time, every value that does not depend on the input's numbers: initializers, Constant
 * nodes, and what exporters compute from them and from shapes ({@code x.view(x.size(0), -1)} becomes Shape,
 * Gather, Unsqueeze, Concat; {@code F.pad} a chain of ConstantOfShape, Slice, Transpose, Cast). The batch extent,
 * unknown at import, travels as {@link ConstTensor#BATCH}.
 */
final class ConstantFolder {
    static final List<String> OPS = List.of("Constant", "Shape", "Gather", "Unsqueeze", "Squeeze", "Concat", "Reshape",
            "Slice", "Transpose", "Cast", "ConstantOfShape", "Identity", "Add", "Sub", "Mul", "Div", "Neg");

    private final OnnxGraph graph;
    /** The ONNX shape of a dynamic value, its first extent {@link ConstTensor#BATCH}; null when not known yet. */
    private final Function<String, int[]> shapes;
    private final Map<String, ConstTensor> cache = new HashMap<>();

    ConstantFolder(OnnxGraph graph, Function<String, int[]> shapes) {
        this.graph = graph;
        this.shapes = shapes;
    }

    /** The known value of {@code name}, read by {@code reader}; fails naming the reader when it is computed. */
    ConstTensor value(String name, NodeProto reader) {
        ConstTensor c = cache.get(name);
        if (c != null) {
            return c;
        }
        ConstTensor init = graph.initializer(name);
        if (init != null) {
            return init;
        }
        NodeProto producer = graph.producer(name);
        if (producer == null || graph.isDynamic(name)) {
            throw new OnnxFormatException(Nodes.describe(reader) + ": input '" + name + "' must be known at import"
                    + " (a weight or a constant) but " + (producer == null ? "nothing produces it"
                    : "it is computed from the network's input by " + Nodes.describe(producer))
                    + "; ConvJ imports networks whose weights and shapes are fixed");
        }
        c = evaluate(producer);
        cache.put(name, c);
        return c;
    }

    /** Whether {@code name} is an optional input left out (empty name) or absent. */
    static boolean absent(NodeProto node, int index) {
        return node.getInputCount() <= index || node.getInput(index).isEmpty();
    }

    private ConstTensor input(NodeProto node, int index) {
        return value(node.getInput(index), node);
    }

    private ConstTensor evaluate(NodeProto n) {
        String op = n.getOpType();
        return switch (op) {
            case "Constant" -> constant(n);
            case "Identity" -> input(n, 0);
            case "Shape" -> shape(n);
            case "Cast" -> cast(n);
            case "Gather" -> gather(n);
            case "Unsqueeze" -> unsqueeze(n);
            case "Squeeze" -> squeeze(n);
            case "Concat" -> concat(n);
            case "Reshape" -> reshape(n);
            case "Slice" -> slice(n);
            case "Transpose" -> transpose(n);
            case "ConstantOfShape" -> constantOfShape(n);
            case "Add", "Sub", "Mul", "Div" -> arithmetic(n);
            case "Neg" -> {
                ConstTensor x = input(n, 0);
                yield new ConstTensor(x.dims(), Arrays.stream(noBatch(n, x).values()).map(v -> -v).toArray(),
                        x.integral());
            }
            default -> throw OnnxImporter.unsupported(n);
        };
    }

    private ConstTensor constant(NodeProto n) {
        for (AttributeProto a : n.getAttributeList()) {
            switch (a.getName()) {
                case "value" -> {
                    return ConstTensor.of(a.getT(), Nodes.describe(n));
                }
                case "value_float" -> {
                    return ConstTensor.scalar(a.getF(), false);
                }
                case "value_floats" -> {
                    return ConstTensor.vector(a.getFloatsList().stream().mapToDouble(Float::doubleValue).toArray(),
                            false);
                }
                case "value_int" -> {
                    return ConstTensor.scalar(a.getI(), true);
                }
                case "value_ints" -> {
                    return ConstTensor.vector(a.getIntsList().stream().mapToDouble(Long::doubleValue).toArray(), true);
                }
                default -> { }
            }
        }
        throw new OnnxFormatException(Nodes.describe(n) + ": a Constant needs a value, value_float(s) or value_int(s)"
                + " attribute");
    }

    private ConstTensor shape(NodeProto n) {
        int[] s = shapes.apply(n.getInput(0));
        if (s == null) {
            throw new OnnxFormatException(Nodes.describe(n) + ": the shape of '" + n.getInput(0) + "' is not known where"
                    + " it is read; ConvJ reads shapes of values on the path from the input to the output");
        }
        double[] v = new double[s.length];
        for (int i = 0; i < s.length; i++) {
            v[i] = i == 0 ? ConstTensor.BATCH : s[i];
        }
        int start = (int) Attributes.integer(n, "start", 0), end = (int) Attributes.integer(n, "end", s.length);
        start = Math.max(0, Math.min(s.length, start < 0 ? start + s.length : start));
        end = Math.max(start, Math.min(s.length, end < 0 ? end + s.length : end));
        return ConstTensor.vector(Arrays.copyOfRange(v, start, end), true);
    }

    private ConstTensor cast(NodeProto n) {
        ConstTensor x = input(n, 0);
        long to = Attributes.integer(n, "to", 1);
        boolean integral = to != 1 && to != 10 && to != 11;
        double[] v = x.values().clone();
        if (integral) {
            for (int i = 0; i < v.length; i++) {
                v[i] = v[i] == ConstTensor.BATCH ? v[i] : (long) v[i];
            }
        }
        return new ConstTensor(x.dims(), v, integral);
    }

    private ConstTensor gather(NodeProto n) {
        ConstTensor x = input(n, 0), idx = input(n, 1);
        int axis = axis(n, (int) Attributes.integer(n, "axis", 0), x.rank());
        int[] outDims = new int[x.rank() - 1 + idx.rank()];
        int o = 0;
        for (int a = 0; a < axis; a++) {
            outDims[o++] = x.dims()[a];
        }
        for (int d : idx.dims()) {
            outDims[o++] = d;
        }
        for (int a = axis + 1; a < x.rank(); a++) {
            outDims[o++] = x.dims()[a];
        }
        int outer = 1, inner = 1, extent = x.dims()[axis];
        for (int a = 0; a < axis; a++) {
            outer *= x.dims()[a];
        }
        for (int a = axis + 1; a < x.rank(); a++) {
            inner *= x.dims()[a];
        }
        double[] out = new double[outer * idx.size() * inner];
        int p = 0;
        for (int i = 0; i < outer; i++) {
            for (double raw : idx.values()) {
                int j = (int) raw < 0 ? (int) raw + extent : (int) raw;
                if (j < 0 || j >= extent) {
                    throw new OnnxFormatException(Nodes.describe(n) + ": index " + (long) raw + " is outside 0.."
                            + (extent - 1));
                }
                System.arraycopy(x.values(), (i * extent + j) * inner, out, p, inner);
                p += inner;
            }
        }
        return new ConstTensor(outDims, out, x.integral());
    }

    /** The axes of Unsqueeze/Squeeze: an attribute before opset 13, an input from 13 on. */
    private List<Integer> axesOf(NodeProto n) {
        List<Integer> attr = Attributes.integers(n, "axes", null);
        if (attr != null) {
            return attr;
        }
        if (absent(n, 1)) {
            return null;
        }
        List<Integer> axes = new ArrayList<>();
        for (double v : input(n, 1).values()) {
            axes.add((int) v);
        }
        return axes;
    }

    private ConstTensor unsqueeze(NodeProto n) {
        ConstTensor x = input(n, 0);
        List<Integer> axes = axesOf(n);
        int rank = x.rank() + axes.size();
        boolean[] added = new boolean[rank];
        for (int a : axes) {
            added[a < 0 ? a + rank : a] = true;
        }
        int[] dims = new int[rank];
        for (int a = 0, k = 0; a < rank; a++) {
            dims[a] = added[a] ? 1 : x.dims()[k++];
        }
        return new ConstTensor(dims, x.values(), x.integral());
    }

    private ConstTensor squeeze(NodeProto n) {
        ConstTensor x = input(n, 0);
        List<Integer> axes = axesOf(n);
        List<Integer> dims = new ArrayList<>();
        for (int a = 0; a < x.rank(); a++) {
            int aa = a;
            boolean drop = axes == null ? x.dims()[a] == 1
                    : axes.stream().anyMatch(s -> (s < 0 ? s + x.rank() : s) == aa);
            if (!drop) {
                dims.add(x.dims()[a]);
            }
        }
        return new ConstTensor(dims.stream().mapToInt(i -> i).toArray(), x.values(), x.integral());
    }

    private ConstTensor concat(NodeProto n) {
        List<ConstTensor> parts = new ArrayList<>();
        for (int i = 0; i < n.getInputCount(); i++) {
            parts.add(input(n, i));
        }
        ConstTensor first = parts.get(0);
        int axis = axis(n, (int) Attributes.integer(n, "axis", 0), first.rank());
        int outer = 1;
        for (int a = 0; a < axis; a++) {
            outer *= first.dims()[a];
        }
        int total = 0;
        for (ConstTensor p : parts) {
            total += p.dims()[axis];
        }
        int[] dims = first.dims().clone();
        dims[axis] = total;
        double[] out = new double[Arrays.stream(dims).reduce(1, (a, b) -> a * b)];
        int pos = 0;
        for (int o = 0; o < outer; o++) {
            for (ConstTensor p : parts) {
                int chunk = p.size() / outer;
                System.arraycopy(p.values(), o * chunk, out, pos, chunk);
                pos += chunk;
            }
        }
        return new ConstTensor(dims, out, first.integral());
    }

    private ConstTensor reshape(NodeProto n) {
        ConstTensor x = input(n, 0);
        int[] dims = Shapes.resolveReshape(noBatch(n, input(n, 1)).longs(), x.dims(),
                Attributes.integer(n, "allowzero", 0) != 0, Nodes.describe(n));
        return new ConstTensor(dims, x.values(), x.integral());
    }

    private ConstTensor slice(NodeProto n) {
        ConstTensor x = input(n, 0);
        long[] starts = input(n, 1).longs(), ends = input(n, 2).longs();
        long[] axes = absent(n, 3) ? null : input(n, 3).longs();
        long[] steps = absent(n, 4) ? null : input(n, 4).longs();
        int rank = x.rank();
        int[] from = new int[rank], step = new int[rank], count = x.dims().clone();
        Arrays.fill(step, 1);
        for (int i = 0; i < starts.length; i++) {
            int a = axes == null ? i : (int) (axes[i] < 0 ? axes[i] + rank : axes[i]);
            int d = x.dims()[a];
            long s = steps == null ? 1 : steps[i];
            if (s == 0) {
                throw new OnnxFormatException(Nodes.describe(n) + ": a slice step of 0");
            }
            long st = starts[i] < 0 ? starts[i] + d : starts[i], en = ends[i] < 0 ? ends[i] + d : ends[i];
            if (s > 0) {
                st = Math.max(0, Math.min(d, st));
                en = Math.max(0, Math.min(d, en));
                count[a] = (int) Math.max(0, (en - st + s - 1) / s);
            } else {
                st = Math.max(-1, Math.min(d - 1, st));
                en = Math.max(-1, Math.min(d - 1, en));
                count[a] = (int) Math.max(0, (st - en + (-s) - 1) / (-s));
            }
            from[a] = (int) st;
            step[a] = (int) s;
        }
        return new ConstTensor(count, gatherStrided(x, from, step, count), x.integral());
    }

    private static double[] gatherStrided(ConstTensor x, int[] from, int[] step, int[] count) {
        int rank = x.rank();
        int size = Arrays.stream(count).reduce(1, (a, b) -> a * b);
        int[] strides = new int[rank];
        for (int a = rank - 1, s = 1; a >= 0; a--) {
            strides[a] = s;
            s *= x.dims()[a];
        }
        double[] out = new double[size];
        int[] idx = new int[rank];
        for (int i = 0; i < size; i++) {
            int src = 0;
            for (int a = 0; a < rank; a++) {
                src += (from[a] + idx[a] * step[a]) * strides[a];
            }
            out[i] = x.values()[src];
            for (int a = rank - 1; a >= 0; a--) {
                if (++idx[a] < count[a]) {
                    break;
                }
                idx[a] = 0;
            }
        }
        return out;
    }

    private ConstTensor transpose(NodeProto n) {
        ConstTensor x = input(n, 0);
        int rank = x.rank();
        List<Integer> perm = Attributes.integers(n, "perm", null);
        if (perm == null) {
            perm = new ArrayList<>();
            for (int a = rank - 1; a >= 0; a--) {
                perm.add(a);
            }
        }
        int[] dims = new int[rank], strides = new int[rank], srcStrides = new int[rank];
        for (int a = rank - 1, s = 1; a >= 0; a--) {
            srcStrides[a] = s;
            s *= x.dims()[a];
        }
        for (int a = 0; a < rank; a++) {
            dims[a] = x.dims()[perm.get(a)];
            strides[a] = srcStrides[perm.get(a)];
        }
        double[] out = new double[x.size()];
        int[] idx = new int[rank];
        for (int i = 0; i < out.length; i++) {
            int src = 0;
            for (int a = 0; a < rank; a++) {
                src += idx[a] * strides[a];
            }
            out[i] = x.values()[src];
            for (int a = rank - 1; a >= 0; a--) {
                if (++idx[a] < dims[a]) {
                    break;
                }
                idx[a] = 0;
            }
        }
        return new ConstTensor(dims, out, x.integral());
    }

    private ConstTensor constantOfShape(NodeProto n) {
        int[] dims = Arrays.stream(noBatch(n, input(n, 0)).longs()).mapToInt(l -> (int) l).toArray();
        AttributeProto a = Attributes.find(n, "value");
        ConstTensor fill = a == null ? ConstTensor.scalar(0, false) : ConstTensor.of(a.getT(), Nodes.describe(n));
        double[] v = new double[Arrays.stream(dims).reduce(1, (x, y) -> x * y)];
        Arrays.fill(v, fill.values()[0]);
        return new ConstTensor(dims, v, fill.integral());
    }

    private ConstTensor arithmetic(NodeProto n) {
        ConstTensor a = noBatch(n, input(n, 0)), b = noBatch(n, input(n, 1));
        int[] dims = ConstTensor.broadcast(a.dims(), b.dims());
        if (dims == null) {
            throw new OnnxFormatException(Nodes.describe(n) + ": operands of shapes " + Arrays.toString(a.dims())
                    + " and " + Arrays.toString(b.dims()) + " do not broadcast");
        }
        double[] x = a.expandTo(dims), y = b.expandTo(dims), out = new double[x.length];
        boolean integral = a.integral() && b.integral();
        for (int i = 0; i < out.length; i++) {
            out[i] = switch (n.getOpType()) {
                case "Add" -> x[i] + y[i];
                case "Sub" -> x[i] - y[i];
                case "Mul" -> x[i] * y[i];
                default -> integral ? Math.floorDiv((long) x[i], (long) y[i]) : x[i] / y[i];
            };
        }
        return new ConstTensor(dims, out, integral);
    }

    private static ConstTensor noBatch(NodeProto n, ConstTensor t) {
        if (t.hasBatch() && !n.getOpType().equals("Reshape")) {
            throw new OnnxFormatException(Nodes.describe(n) + ": computes with the batch extent, which ConvJ leaves"
                    + " open until a network is compiled for a batch size");
        }
        return t;
    }

    private static int axis(NodeProto n, int axis, int rank) {
        int a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a >= Math.max(rank, 1)) {
            throw new OnnxFormatException(Nodes.describe(n) + ": axis " + axis + " is outside a tensor of rank " + rank);
        }
        return a;
    }
}
