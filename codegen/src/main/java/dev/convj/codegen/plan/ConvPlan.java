package dev.convj.codegen.plan;

import dev.convj.codegen.Schedule;
import dev.convj.graph.Graph;
import dev.convj.graph.Node;
import dev.convj.graph.ops.Conv;
import dev.convj.graph.ops.ConvTranspose;
import dev.convj.graph.ops.ConvWeightGrad;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The schedule of every convolution-family node of a graph, decided before any code is emitted: emitters carry it
 * out, dumps print it, tests ask it which path ran.
 */
public final class ConvPlan {
    private final Map<String, ConvSchedule> byNode;

    private ConvPlan(Map<String, ConvSchedule> byNode) {
        this.byNode = Collections.unmodifiableMap(byNode);
    }

    /** The plan of {@code graph} under {@code schedule}; a forced algorithm naming no such node is an error. */
    public static ConvPlan of(Graph graph, Schedule schedule) {
        Map<String, ConvSchedule> byNode = new LinkedHashMap<>();
        for (Node n : graph.nodes()) {
            ConvDims d;
            ConvPass pass;
            if (n.op() instanceof Conv op) {
                Node x = graph.node(n.inputs().get(0)), w = graph.node(n.inputs().get(1));
                d = ConvDims.of(op.geometry(), x.shape(), w.shape(), n.shape());
                pass = ConvPass.FORWARD;
            } else if (n.op() instanceof ConvTranspose op) {
                Node dy = graph.node(n.inputs().get(0)), w = graph.node(n.inputs().get(1));
                d = ConvDims.of(op.geometry(), n.shape(), w.shape(), dy.shape());
                pass = ConvPass.INPUT_GRADIENT;
            } else if (n.op() instanceof ConvWeightGrad op) {
                Node x = graph.node(n.inputs().get(0)), dy = graph.node(n.inputs().get(1));
                d = ConvDims.of(op.geometry(), x.shape(), n.shape(), dy.shape());
                pass = ConvPass.WEIGHT_GRADIENT;
            } else {
                continue;
            }
            int batch = n.shape().dim(0);
            if (pass == ConvPass.WEIGHT_GRADIENT) {
                batch = graph.node(n.inputs().get(0)).shape().dim(0);
            }
            byNode.put(n.name(), ConvCostModel.schedule(n.name(), pass, d, batch,
                    schedule.algorithms().get(n.name()), schedule.threads()));
        }
        List<String> unknown = new ArrayList<>(schedule.algorithms().keySet());
        unknown.removeAll(byNode.keySet());
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("the schedule forces an algorithm on " + unknown
                    + ", which are not convolution nodes of this graph; those are " + byNode.keySet());
        }
        return new ConvPlan(byNode);
    }

    /** The schedule of a convolution-family node. */
    public ConvSchedule of(Node n) {
        ConvSchedule s = byNode.get(n.name());
        if (s == null) {
            throw new IllegalArgumentException(n.name() + " is not a convolution-family node of this plan");
        }
        return s;
    }

    /** Every node's schedule, in graph order. */
    public List<ConvSchedule> schedules() {
        return List.copyOf(byNode.values());
    }

    /**
     * The nodes the cost model gave a Winograd algorithm or the gathered GEMM, "node=algorithm" joined by commas (empty
     * when none): the part of the plan that depends on the kernel speed measured in this JVM or on its options, not on
     * shapes alone, for cache keys.
     */
    public String algorithmKey() {
        StringBuilder s = new StringBuilder();
        for (ConvSchedule c : byNode.values()) {
            if ((c.algorithm().winograd() != null || c.algorithm() == ConvAlgorithm.GATHER_GEMM) && !c.forced()) {
                s.append(s.length() == 0 ? "" : ",").append(c.node()).append('=').append(c.algorithm().label());
            }
        }
        return s.toString();
    }

    /** One line per node: node, pass, algorithm, tile, threads, estimated GFLOP and MB. */
    public String toText() {
        StringBuilder s = new StringBuilder();
        for (ConvSchedule c : byNode.values()) {
            s.append(c.line()).append('\n');
        }
        return s.toString();
    }
}
