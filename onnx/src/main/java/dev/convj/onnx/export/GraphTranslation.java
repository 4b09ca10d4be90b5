package dev.convj.onnx.export;

import static dev.convj.onnx.export.OnnxGraphWriter.integer;
import static dev.convj.onnx.export.OnnxGraphWriter.ints;
import static dev.convj.onnx.export.OnnxGraphWriter.real;

import dev.convj.graph.DType;
import dev.convj.graph.Graph;
import dev.convj.graph.Node;
import dev.convj.graph.ops.Add;
import dev.convj.graph.ops.AvgPool;
import dev.convj.graph.ops.AvgPoolBackward;
import dev.convj.graph.ops.BroadcastTo;
import dev.convj.graph.ops.ChannelMask;
import dev.convj.graph.ops.Concat;
import dev.convj.graph.ops.Conv;
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
import dev.convj.onnx.OnnxFormatException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Translates the nodes an output needs, on demand from the output back, into ONNX nodes; each ConvJ node becomes
 * the ONNX tensor of the same name. Nodes that a pattern absorbs (batch normalization's per-channel arithmetic, a
 * broadcast feeding an elementwise op) are never reached, so they are never written.
 */
final class GraphTranslation {
    /** Ops that only gradient and training graphs hold. */
    private static final Set<Class<? extends Op>> TRAINING_ONLY = Set.of(ConvWeightGrad.class, MaxPoolBackward.class,
            MaxPoolSelect.class, AvgPoolBackward.class, ReluBackward.class, Step.class, SumTo.class, OneHot.class,
            SoftmaxCrossEntropy.class, Mse.class, Dropout.class, TiledConvTranspose.class, TiledConvWeightGrad.class);

    private final Graph graph;
    private final BatchAxes axes;
    private final OnnxGraphWriter out;
    private final Map<Integer, String> tensors = new HashMap<>();
    private final ConvExport conv;
    private final PoolExport pool;
    private final WeightTransforms weightTransforms;
    private Node input;
    private String batch;

    GraphTranslation(Graph graph, BatchAxes axes, Map<String, float[]> weights, OnnxGraphWriter out) {
        this.graph = graph;
        this.axes = axes;
        this.out = out;
        this.conv = new ConvExport(this);
        this.pool = new PoolExport(this);
        this.weightTransforms = new WeightTransforms(this, weights);
    }

    OnnxGraphWriter out() {
        return out;
    }

    BatchAxes axes() {
        return axes;
    }

    Graph graph() {
        return graph;
    }

    /** The model's only run-time input: float32 images. */
    void declareInput(Node x) {
        for (Node n : graph.inputs()) {
            if (n != x) {
                throw refusal(n, "the forward pass reads input " + n.name() + " " + n.typeString() + " besides the "
                        + "images " + x.name() + "; export the model's inference graph (network::inferenceGraph), in "
                        + "which dropout reads no step counter");
            }
        }
        if (x.dtype() != DType.F32) {
            throw refusal(x, "ONNX export takes float32 images, got " + x.typeString());
        }
        if (!axes.batchFirst(x)) {
            throw refusal(x, "the images must be [N, …] with the batch first and every other extent fixed");
        }
        input = x;
        tensors.put(x.id(), out.fresh(x.name()));
    }

    /** Translates what {@code y} needs; its tensor is named after it (an Identity when it aliases another). */
    String translateOutput(Node y) {
        String t = tensor(y);
        if (!t.equals(y.name())) {
            t = out.node("Identity", out.fresh(y.name()), List.of(t));
        }
        return t;
    }

    /** The ONNX tensor holding node {@code n}'s value, translating it on first use. */
    String tensor(Node n) {
        String t = tensors.get(n.id());
        if (t == null) {
            t = translate(n);
            tensors.put(n.id(), t);
        }
        return t;
    }

    Node in(Node n, int i) {
        return graph.node(n.inputs().get(i));
    }

    String inTensor(Node n, int i) {
        return tensor(in(n, i));
    }

    /** A fresh name for a helper tensor of {@code n}, e.g. {@code conv1/crop}. */
    String helper(Node n, String what) {
        return out.fresh(n.name() + "/" + what);
    }

    /** The name of {@code n}'s own output tensor. */
    String own(Node n) {
        return out.fresh(n.name());
    }

    static OnnxFormatException refusal(Node n, String why) {
        return new OnnxFormatException("cannot export node " + n.name() + " (" + n.op().kind() + ") "
                + n.typeString() + " to ONNX: " + why);
    }

    private String translate(Node n) {
        Op op = n.op();
        if (op instanceof Parameter) {
            return out.floats(n.name(), n.shape().dims(), weightTransforms.constant(n));
        }
        if (op instanceof Fill f) {
            if (!axes.dynamic(n)) {
                float[] v = new float[n.shape().size()];
                Arrays.fill(v, (float) f.value());
                return out.floats(n.name(), n.shape().dims(), v);
            }
            return out.node("Expand", own(n), List.of(out.scalar(n.name() + "/value", f.value()), shape(n, n)));
        }
        if (op instanceof Flip || op instanceof ChannelMask) {
            return weightTransforms.translate(n);
        }
        if (op instanceof Add || op instanceof Sub || op instanceof Mul) {
            if (op instanceof Add) {
                var bn = BatchNormMatch.at(graph, n);
                if (bn.isPresent()) {
                    return batchNorm(n, bn.get());
                }
            }
            return elementwise(n, op instanceof Add ? "Add" : op instanceof Sub ? "Sub" : "Mul");
        }
        if (op instanceof Scale s) {
            // Dropout at inference is a scale by 1: the identity, so it leaves no node.
            return s.factor() == 1 ? inTensor(n, 0)
                    : out.node("Mul", own(n), List.of(inTensor(n, 0), out.scalar(n.name() + "/factor", s.factor())));
        }
        if (op instanceof Pow p) {
            return out.node("Pow", own(n), List.of(inTensor(n, 0), out.scalar(n.name() + "/exponent", p.exponent())));
        }
        if (op instanceof Relu) {
            return out.node("Relu", own(n), List.of(inTensor(n, 0)));
        }
        if (op instanceof Sigmoid) {
            return out.node("Sigmoid", own(n), List.of(inTensor(n, 0)));
        }
        if (op instanceof Tanh) {
            return out.node("Tanh", own(n), List.of(inTensor(n, 0)));
        }
        if (op instanceof LeakyRelu l) {
            return out.node("LeakyRelu", own(n), List.of(inTensor(n, 0)), real("alpha", l.slope()));
        }
        if (op instanceof Elu e) {
            return out.node("Elu", own(n), List.of(inTensor(n, 0)), real("alpha", e.alpha()));
        }
        if (op instanceof Softmax s) {
            return out.node("Softmax", own(n), List.of(inTensor(n, 0)), integer("axis", s.axis()));
        }
        if (op instanceof LogSoftmax s) {
            return out.node("LogSoftmax", own(n), List.of(inTensor(n, 0)), integer("axis", s.axis()));
        }
        if (op instanceof Dense) {
            List<String> operands = new ArrayList<>();
            for (int i = 0; i < n.inputs().size(); i++) {
                operands.add(inTensor(n, i));
            }
            return out.node("Gemm", own(n), operands, integer("transB", 1)); // y = x·Wᵀ + b, W [out, in]
        }
        if (op instanceof Reshape) {
            return reshape(n);
        }
        if (op instanceof BroadcastTo) {
            return out.node("Expand", own(n), List.of(inTensor(n, 0), shape(n, n)));
        }
        if (op instanceof Mean m) {
            return pool.mean(n, m);
        }
        if (op instanceof MaxPool m) {
            return pool.max(n, m);
        }
        if (op instanceof AvgPool a) {
            return pool.average(n, a);
        }
        if (op instanceof Conv c) {
            return conv.conv(n, c);
        }
        if (op instanceof ConvTranspose c) {
            return conv.transposed(n, c);
        }
        if (op instanceof TiledConv t) {
            return conv.tiled(n, t);
        }
        if (op instanceof Slice s) {
            return slice(n, s);
        }
        if (op instanceof Concat c) {
            String padded = constantPad(n, c);
            if (padded != null) {
                return padded;
            }
            List<String> parts = new ArrayList<>();
            for (int i = 0; i < n.inputs().size(); i++) {
                parts.add(inTensor(n, i));
            }
            return out.node("Concat", own(n), parts, integer("axis", c.axis()));
        }
        if (op instanceof MatMul m) {
            return out.node("Gemm", own(n), List.of(inTensor(n, 0), inTensor(n, 1)),
                    integer("transA", m.transposeA() ? 1 : 0), integer("transB", m.transposeB() ? 1 : 0));
        }
        if (op instanceof Sum s) {
            return out.node("ReduceSum", own(n), List.of(inTensor(n, 0), out.longs(n.name() + "/axes",
                    s.axes().stream().mapToLong(Integer::longValue).toArray())), integer("keepdims", 0));
        }
        if (op instanceof Input) {
            throw refusal(n, "the graph has a second input");
        }
        if (TRAINING_ONLY.contains(op.getClass())) {
            throw refusal(n, "the op " + op.kind() + " belongs to training and gradient graphs, which ONNX export does "
                    + "not cover; export the model's inference graph");
        }
        throw refusal(n, "ONNX export has no translation of the op " + op.kind() + "; export covers the ops the network"
                + " builder lowers inference graphs to");
    }

    /**
     * A concatenation of one tensor between constant fills of one value is padding: a Pad in constant mode, which
     * keeps the batch dynamic without building the fills' shapes. Null when {@code n} is not of that form.
     */
    private String constantPad(Node n, Concat c) {
        List<Node> parts = new ArrayList<>();
        for (int i = 0; i < n.inputs().size(); i++) {
            parts.add(in(n, i));
        }
        List<Node> data = parts.stream().filter(p -> !(p.op() instanceof Fill)).toList();
        if (data.size() != 1 || parts.size() < 2 || parts.size() > 3) {
            return null;
        }
        int at = parts.indexOf(data.get(0));
        if (parts.size() == 3 && at != 1) {
            return null;
        }
        double value = ((Fill) parts.get(at == 0 ? 1 : 0).op()).value();
        for (Node p : parts) {
            if (p.op() instanceof Fill f && f.value() != value) {
                return null;
            }
        }
        int rank = n.shape().rank();
        long[] pads = new long[2 * rank];
        if (at > 0) {
            pads[c.axis()] = parts.get(0).shape().dim(c.axis());
        }
        if (at < parts.size() - 1) {
            pads[rank + c.axis()] = parts.get(parts.size() - 1).shape().dim(c.axis());
        }
        return out.node("Pad", own(n), List.of(tensor(data.get(0)), out.longs(n.name() + "/pads", pads),
                out.scalar(n.name() + "/value", value)));
    }

    /** BatchNormalization(x, γ, β, μ, σ²) in inference mode. */
    private String batchNorm(Node y, BatchNormMatch bn) {
        return out.node("BatchNormalization", own(y), List.of(tensor(bn.x()), tensor(bn.gamma()), tensor(bn.beta()),
                tensor(bn.mean()), tensor(bn.var())), real("epsilon", bn.epsilon()));
    }

    /**
     * Add, Sub or Mul of equal shapes. An operand that is a broadcast, or a constant fill, is passed in its small form
     * when the other operand has the full shape: ONNX's elementwise ops broadcast by the same (NumPy's) rule.
     */
    private String elementwise(Node n, String onnxOp) {
        Node a = in(n, 0), b = in(n, 1);
        boolean aSmall = small(a), bSmall = small(b);
        String ta = aSmall && !bSmall ? smallForm(a) : tensor(a);
        String tb = bSmall ? smallForm(b) : tensor(b);
        return out.node(onnxOp, own(n), List.of(ta, tb));
    }

    private static boolean small(Node n) {
        return n.op() instanceof BroadcastTo || n.op() instanceof Fill;
    }

    private String smallForm(Node n) {
        if (n.op() instanceof Fill f) {
            return out.scalar(n.name(), f.value());
        }
        return inTensor(n, 0);
    }

    /**
     * Reshape to fixed extents and the batch: Flatten for [N, …] → [N, rest]; otherwise a shape with −1 at the one
     * axis that grows with the batch.
     */
    private String reshape(Node n) {
        Node x = in(n, 0);
        if (axes.batchFirst(x) && axes.batchFirst(n) && n.shape().rank() == 2) {
            return out.node("Flatten", own(n), List.of(tensor(x)), integer("axis", 1));
        }
        return out.node("Reshape", own(n), List.of(tensor(x), shape(n, n)));
    }

    /**
     * {@code n}'s shape as an int64 tensor for Reshape or Expand: a constant when no extent depends on the batch, one
     * −1 where exactly one does (Reshape only), else assembled from the input's batch size at run time.
     */
    String shape(Node n, Node shaped) {
        List<Integer> k = axes.of(shaped);
        List<Integer> dims = shaped.shape().dims();
        List<Integer> dynamicAxes = axes.dynamicAxes(shaped);
        if (dynamicAxes.isEmpty()) {
            return out.longs(n.name() + "/shape", dims.stream().mapToLong(Integer::longValue).toArray());
        }
        if (dynamicAxes.size() == 1 && n.op() instanceof Reshape) {
            long[] v = dims.stream().mapToLong(Integer::longValue).toArray();
            v[dynamicAxes.get(0)] = -1;
            return out.longs(n.name() + "/shape", v);
        }
        List<String> parts = new ArrayList<>();
        for (int a = 0; a < dims.size(); a++) {
            if (k.get(a) == 0) {
                parts.add(out.longs(n.name() + "/extent" + a, dims.get(a)));
            } else if (k.get(a) == 1) {
                parts.add(batch());
            } else {
                parts.add(out.node("Mul", helper(n, "extent" + a), List.of(batch(),
                        out.longs(n.name() + "/multiple" + a, k.get(a)))));
            }
        }
        return out.node("Concat", helper(n, "shape"), parts, integer("axis", 0));
    }

    /** The batch size N as a 1-element int64 tensor, read from the input's shape at run time. */
    private String batch() {
        if (batch == null) {
            batch = out.node("Shape", out.fresh(input.name() + "/batch"), List.of(tensors.get(input.id())),
                    integer("start", 0), integer("end", 1));
        }
        return batch;
    }

    private String slice(Node n, Slice s) {
        Node x = in(n, 0);
        if (axes.of(x).get(s.axis()) != 0) {
            throw refusal(n, "it slices axis " + s.axis() + ", which grows with the batch; a dynamic batch needs the"
                    + " slice on a fixed axis");
        }
        return out.node("Slice", own(n), List.of(tensor(x), out.longs(n.name() + "/starts", s.start()),
                out.longs(n.name() + "/ends", s.end()), out.longs(n.name() + "/axes", s.axis())));
    }
}
