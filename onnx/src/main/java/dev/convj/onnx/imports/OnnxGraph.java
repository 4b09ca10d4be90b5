package dev.convj.onnx.imports;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import dev.convj.onnx.OnnxFormatException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An ONNX graph indexed for import: who produces and who reads each value, and which values are dynamic (computed
 * from the input's numbers) rather than known at import (weights, constants, shapes).
 */
final class OnnxGraph {
    private final GraphProto graph;
    private final Map<String, ConstTensor> initializers = new HashMap<>();
    private final Map<String, NodeProto> producers = new HashMap<>();
    private final Map<String, Integer> order = new HashMap<>();
    private final Map<String, List<NodeProto>> dynamicReaders = new HashMap<>();
    private final Set<String> dynamic = new HashSet<>();
    private final ValueInfoProto input;
    private final String output;

    OnnxGraph(GraphProto graph) {
        this.graph = graph;
        for (TensorProto t : graph.getInitializerList()) {
            initializers.put(t.getName(), ConstTensor.of(t, "initializer '" + t.getName() + "'"));
        }
        List<ValueInfoProto> inputs = graph.getInputList().stream()
                .filter(i -> !initializers.containsKey(i.getName())).toList();
        if (inputs.size() != 1) {
            throw new OnnxFormatException("the graph has " + inputs.size() + " inputs besides its weights ("
                    + inputs.stream().map(ValueInfoProto::getName).toList() + "); ConvJ imports networks of one input");
        }
        input = inputs.get(0);
        if (graph.getOutputCount() != 1) {
            throw new OnnxFormatException("the graph has " + graph.getOutputCount() + " outputs ("
                    + graph.getOutputList().stream().map(ValueInfoProto::getName).toList()
                    + "); ConvJ imports networks of one output");
        }
        output = graph.getOutput(0).getName();
        dynamic.add(input.getName());
        for (int i = 0; i < graph.getNodeCount(); i++) {
            NodeProto n = graph.getNode(i);
            for (String out : n.getOutputList()) {
                if (!out.isEmpty()) {
                    producers.put(out, n);
                }
            }
            order.put(key(n), i);
            // A shape is known at import even when its tensor is not.
            boolean readsDynamic = !n.getOpType().equals("Shape")
                    && n.getInputList().stream().anyMatch(dynamic::contains);
            if (readsDynamic) {
                if (n.getOutputCount() < 1) {
                    throw new OnnxFormatException(Nodes.describe(n) + ": has no output");
                }
                dynamic.add(n.getOutput(0));
                for (String in : new LinkedHashSet<>(n.getInputList())) {
                    if (dynamic.contains(in)) {
                        dynamicReaders.computeIfAbsent(in, k -> new ArrayList<>()).add(n);
                    }
                }
            } else {
                for (String in : n.getInputList()) {
                    if (!in.isEmpty() && !producers.containsKey(in) && !initializers.containsKey(in)
                            && !in.equals(input.getName())) {
                        throw new OnnxFormatException(Nodes.describe(n) + ": reads '" + in + "', which no node,"
                                + " initializer or input defines before it (nodes must be in topological order)");
                    }
                }
            }
        }
        if (!dynamic.contains(output)) {
            throw new OnnxFormatException("the graph's output '" + output + "' does not depend on its input");
        }
    }

    private static String key(NodeProto n) {
        return n.getOutputCount() > 0 ? n.getOutput(0) : n.getName();
    }

    ValueInfoProto input() {
        return input;
    }

    String output() {
        return output;
    }

    ConstTensor initializer(String name) {
        return initializers.get(name);
    }

    NodeProto producer(String value) {
        return producers.get(value);
    }

    boolean isDynamic(String value) {
        return dynamic.contains(value);
    }

    /** The nodes that read {@code value} and compute from the input's numbers (not its shape). */
    List<NodeProto> readers(String value) {
        return dynamicReaders.getOrDefault(value, List.of());
    }

    /** The distinct dynamic inputs of a node, in order. */
    List<String> dynamicInputs(NodeProto n) {
        return new ArrayList<>(new LinkedHashSet<>(n.getInputList().stream().filter(dynamic::contains).toList()));
    }

    /** Every dynamic value from which {@code value} is computed, itself included. */
    Set<String> ancestors(String value) {
        Set<String> seen = new HashSet<>();
        Deque<String> todo = new ArrayDeque<>(List.of(value));
        while (!todo.isEmpty()) {
            String v = todo.pop();
            if (seen.add(v) && producers.containsKey(v) && !v.equals(input.getName())) {
                todo.addAll(dynamicInputs(producers.get(v)));
            }
        }
        return seen;
    }

    /**
     * Where the branches leaving {@code fork} meet again on the way to {@code end}: the first node, in topological
     * order, after which only its own output is still to be read (the fork's immediate post-dominator).
     */
    NodeProto join(String fork, String end, Set<String> region) {
        Map<String, Integer> pending = new HashMap<>();
        pending.put(fork, readersIn(fork, region));
        Set<String> reached = new HashSet<>(List.of(fork));
        int start = order.getOrDefault(producers.containsKey(fork) ? key(producers.get(fork)) : "", -1) + 1;
        for (int i = start; i < graph.getNodeCount(); i++) {
            NodeProto n = graph.getNode(i);
            if (!dynamic.contains(key(n)) || !region.contains(n.getOutput(0))) {
                continue;
            }
            List<String> ins = dynamicInputs(n);
            if (ins.stream().noneMatch(reached::contains)) {
                continue;
            }
            for (String in : ins) {
                if (!reached.contains(in)) {
                    throw new OnnxFormatException(Nodes.describe(n) + ": joins a value from outside the branches that"
                            + " start at '" + fork + "' ('" + in + "'); ConvJ imports chains, concatenated branches and"
                            + " residual additions");
                }
                pending.merge(in, -1, Integer::sum);
                if (pending.get(in) == 0) {
                    pending.remove(in);
                }
            }
            String out = n.getOutput(0);
            reached.add(out);
            if (pending.isEmpty() || out.equals(end)) {
                return n;
            }
            int readers = readersIn(out, region);
            if (readers > 0) {
                pending.put(out, readers);
            }
        }
        throw new OnnxFormatException("the branches that start at '" + fork + "' do not meet again before '" + end
                + "'");
    }

    private int readersIn(String value, Set<String> region) {
        return (int) readers(value).stream().filter(r -> region.contains(r.getOutput(0)))
                .mapToLong(r -> r.getInputList().stream().filter(value::equals).count() > 0 ? 1 : 0).sum();
    }
}
