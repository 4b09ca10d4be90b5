package dev.convj.onnx.imports;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import dev.convj.dsl.Layer;
import dev.convj.dsl.Network;
import dev.convj.graph.Node;
import dev.convj.onnx.OnnxFiles;
import dev.convj.onnx.OnnxFormatException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.UnaryOperator;

/**
 * Imports an ONNX model (opsets 11 to 18) as an ordinary ConvJ {@link Network} with its weights: chains of
 * layers, branches that meet in a channel Concat ({@code parallel}) and branches that meet in an Add
 * ({@code residual}). Arithmetic with constants becomes layers, shape computations are done at import, and the
 * batch axis stays open.
 */
public final class OnnxImporter {
    static final int MIN_OPSET = 11, MAX_OPSET = 18;

    /** Every operator the importer reads, for the message that names an unsupported one. */
    static final Set<String> SUPPORTED = new TreeSet<>(List.of("Conv", "ConvTranspose", "MaxPool", "AveragePool",
            "GlobalAveragePool", "GlobalMaxPool", "BatchNormalization", "Relu", "LeakyRelu", "Elu", "Sigmoid", "Tanh",
            "Softmax", "LogSoftmax", "Gemm", "MatMul", "Add", "Sub", "Mul", "Div", "Flatten", "Reshape", "Concat",
            "Pad", "Dropout", "Identity", "Constant", "ReduceMean", "ReduceMax", "Squeeze", "Unsqueeze"));

    static {
        SUPPORTED.addAll(ConstantFolder.OPS);
    }

    final OnnxGraph graph;
    final ConstantFolder folder;
    final int opset;
    /** The ONNX shape of each dynamic value reached so far, the batch as {@link ConstTensor#BATCH}. */
    private final Map<String, int[]> shapes = new HashMap<>();
    /** Weights by the name the importer gave their layer ({@code conv3.weight}); a branch may prefix it later. */
    final Map<String, float[]> weights = new LinkedHashMap<>();
    private final Map<String, Integer> counters = new HashMap<>();
    private final OpTranslator ops;

    private OnnxImporter(ModelProto model) {
        this.opset = opset(model);
        this.graph = new OnnxGraph(model.getGraph());
        this.folder = new ConstantFolder(graph, shapes::get);
        this.ops = new OpTranslator(this);
    }

    /** Reads and imports an ONNX file. */
    public static ImportedModel read(Path file) throws IOException {
        return importModel(OnnxFiles.read(file), file.toString());
    }

    /** Imports a parsed model; {@code source} names it in errors. */
    public static ImportedModel importModel(ModelProto model, String source) {
        try {
            OnnxImporter importer = new OnnxImporter(model);
            Network network = importer.translate();
            return new ImportedModel(network, importer.finalWeights(network), importer.opset,
                    (model.getProducerName() + " " + model.getProducerVersion()).strip());
        } catch (OnnxFormatException e) {
            throw new OnnxFormatException(source + ": " + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new OnnxFormatException(source + ": the imported network does not fit together: " + e.getMessage(),
                    e);
        }
    }

    private static int opset(ModelProto model) {
        for (OperatorSetIdProto o : model.getOpsetImportList()) {
            if (o.getDomain().isEmpty() || o.getDomain().equals("ai.onnx")) {
                long v = o.getVersion();
                if (v < MIN_OPSET || v > MAX_OPSET) {
                    throw new OnnxFormatException("the model uses ONNX opset " + v + "; ConvJ imports opsets "
                            + MIN_OPSET + " to " + MAX_OPSET + " (re-export it, e.g. torch.onnx.export(...,"
                            + " opset_version=17))");
                }
                return (int) v;
            }
        }
        throw new OnnxFormatException("the model imports no version of the default ONNX operator set");
    }

    private Network translate() {
        var input = graph.input();
        if (!input.getType().hasTensorType() || input.getType().getTensorType().getElemType() != 1) {
            throw new OnnxFormatException("input '" + input.getName() + "' must be a float32 tensor");
        }
        List<TensorShapeProto.Dimension> dims = input.getType().getTensorType().getShape().getDimList();
        if (dims.size() < 2) {
            throw new OnnxFormatException("input '" + input.getName() + "' has rank " + dims.size()
                    + "; ConvJ takes a batch axis and then features or channels and spatial extents");
        }
        int[] shape = new int[dims.size()];
        shape[0] = (int) ConstTensor.BATCH;
        for (int i = 1; i < dims.size(); i++) {
            if (!dims.get(i).hasDimValue() || dims.get(i).getDimValue() < 1) {
                throw new OnnxFormatException("input '" + input.getName() + "' has an open extent on axis " + i + " ("
                        + dims.get(i).getDimParam() + "); only the batch axis may be open: re-export with fixed"
                        + " image sizes");
            }
            shape[i] = (int) dims.get(i).getDimValue();
        }
        shapes.put(input.getName(), shape);
        Network net = Network.input(shape[1], java.util.Arrays.copyOfRange(shape, 2, shape.length));
        return segment(net, input.getName(), graph.output());
    }

    /** Appends the layers computing {@code to} from {@code from}. */
    Network segment(Network net, String from, String to) {
        Set<String> region = graph.ancestors(to);
        String v = from;
        while (!v.equals(to)) {
            List<NodeProto> next = graph.readers(v).stream().filter(r -> region.contains(r.getOutput(0))).toList();
            if (next.isEmpty()) {
                throw new OnnxFormatException("'" + v + "' leads nowhere on the way to '" + to + "'");
            }
            if (next.size() == 1 && graph.dynamicInputs(next.get(0)).size() == 1) {
                OpTranslator.Step step = ops.translate(net, next.get(0), v, to);
                net = step.network();
                v = step.value();
            } else {
                NodeProto join = graph.join(v, to, region);
                net = joinBranches(net, v, join);
                v = join.getOutput(0);
            }
        }
        return net;
    }

    private Network joinBranches(Network net, String fork, NodeProto join) {
        String op = join.getOpType();
        int[] shape = shapes.get(fork);
        if (op.equals("Concat")) {
            int rank = shape.length;
            long axis = Attributes.integer(join, "axis", 1);
            if ((axis < 0 ? axis + rank : axis) != 1) {
                throw new OnnxFormatException(Nodes.describe(join) + ": concatenates along axis " + axis + " of rank-"
                        + rank + " tensors; ConvJ concatenates branches along the channels (axis 1)");
            }
            List<UnaryOperator<Network>> branches = new ArrayList<>();
            for (String in : join.getInputList()) {
                if (!graph.isDynamic(in)) {
                    throw new OnnxFormatException(Nodes.describe(join) + ": concatenates the constant '" + in
                            + "' with computed tensors; ConvJ concatenates branches of the network only");
                }
                branches.add(b -> segment(b, fork, in));
            }
            @SuppressWarnings("unchecked")
            UnaryOperator<Network>[] array = branches.toArray(UnaryOperator[]::new);
            return record(net.parallel(array), join.getOutput(0));
        }
        if (op.equals("Add") || op.equals("Sum") && join.getInputCount() == 2) {
            String a = join.getInput(0), b = join.getInput(1);
            if (!graph.isDynamic(a) || !graph.isDynamic(b)) {
                throw new OnnxFormatException(Nodes.describe(join) + ": expected to join two branches");
            }
            String body = a, shortcut = b;
            if (a.equals(fork) || !b.equals(fork) && graph.ancestors(a).size() < graph.ancestors(b).size()) {
                body = b;
                shortcut = a;
            }
            String bodyEnd = body, shortcutEnd = shortcut;
            Network joined = shortcut.equals(fork)
                    ? Residuals.identity(net, x -> segment(x, fork, bodyEnd))
                    : Residuals.projection(net, x -> segment(x, fork, bodyEnd), x -> segment(x, fork, shortcutEnd));
            return record(joined, join.getOutput(0));
        }
        throw new OnnxFormatException(Nodes.describe(join) + ": joins the branches that start at '" + fork + "' with "
                + op + "; ConvJ joins branches with Concat along the channels (parallel) or Add (residual)");
    }

    /** Notes the ONNX shape of {@code value}, the output of {@code net}. */
    Network record(Network net, String value) {
        List<Integer> out = net.outputShape();
        int[] s = new int[out.size() + 1];
        s[0] = (int) ConstTensor.BATCH;
        for (int i = 0; i < out.size(); i++) {
            s[i + 1] = out.get(i);
        }
        shapes.put(value, s);
        return net;
    }

    /** Notes that {@code value} has the ONNX shape {@code shape} (which may differ from ConvJ's, e.g. [N, C, 1, 1]). */
    void record(String value, int[] shape) {
        shapes.put(value, shape);
    }

    int[] shape(String value) {
        return shapes.get(value);
    }

    /** A fresh layer name with this prefix, unique over the whole import (conv1, conv2, …). */
    String name(String prefix) {
        return prefix + counters.merge(prefix, 1, Integer::sum);
    }

    /** Appends a layer and notes its output's shape. */
    Network add(Network net, Layer layer, String value) {
        return record(net.then(layer), value);
    }

    static OnnxFormatException unsupported(NodeProto n) {
        return new OnnxFormatException(Nodes.describe(n) + ": ConvJ does not import the operator " + n.getOpType()
                + (n.getDomain().isEmpty() ? "" : " of domain " + n.getDomain()) + "; it imports " + SUPPORTED);
    }

    /**
     * The weights under the network's final parameter names: a layer inside a branch is prefixed by its branch
     * ({@code concat1.b2.conv5.weight}), so each parameter is found by the unique name the importer gave it.
     */
    private Map<String, float[]> finalWeights(Network network) {
        Map<String, float[]> out = new LinkedHashMap<>();
        for (Node p : network.inferenceGraph(1).parameters()) {
            String name = p.name();
            String candidate = name;
            float[] found = weights.get(candidate);
            while (found == null && candidate.indexOf('.') >= 0) {
                candidate = candidate.substring(candidate.indexOf('.') + 1);
                found = weights.get(candidate);
            }
            if (found == null) {
                throw new IllegalStateException("no imported value for parameter " + name);
            }
            if (found.length != p.shape().size()) {
                throw new IllegalStateException("parameter " + name + " " + p.shape() + " got " + found.length
                        + " values");
            }
            out.put(name, found);
        }
        return out;
    }
}
