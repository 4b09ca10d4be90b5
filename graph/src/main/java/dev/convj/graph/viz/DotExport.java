package dev.convj.graph.viz;

import dev.convj.graph.Graph;
import dev.convj.graph.Node;
import dev.convj.graph.ops.Fill;
import dev.convj.graph.ops.Input;
import dev.convj.graph.ops.Parameter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The graph as Graphviz DOT text: one box per node (name and op), edges labelled with the shape that flows
 * along them, inputs, parameters and constants drawn apart from operations, gradient nodes (those autodiff
 * derived) dashed and red, and the nodes of each layer grouped in a cluster named by their common name prefix
 * ({@code conv1}, {@code conv1.weight}, {@code conv1.bias} → cluster {@code conv1}). Nodes named in
 * {@link Options#highlight()} are filled red, e.g. the gradients that failed a check. The text is
 * deterministic; rendering it is left to a replaceable renderer.
 */
public final class DotExport {
    private DotExport() {}

    /**
     * How to draw.
     *
     * @param title     shown above the graph; empty for none
     * @param clusters  group nodes into one cluster per layer prefix
     * @param highlight names of nodes to mark
     */
    public record Options(String title, boolean clusters, Set<String> highlight) {
        public Options {
            highlight = Set.copyOf(highlight);
        }

        public static Options defaults() {
            return new Options("", true, Set.of());
        }

        public Options withTitle(String t) {
            return new Options(t, clusters, highlight);
        }

        public Options withHighlight(Set<String> names) {
            return new Options(title, clusters, names);
        }

        public Options withClusters(boolean on) {
            return new Options(title, on, highlight);
        }
    }

    public static String of(Graph graph) {
        return of(graph, Options.defaults());
    }

    public static String of(Graph graph, Options options) {
        StringBuilder b = new StringBuilder("digraph convj {\n");
        b.append("  graph [rankdir=TB, fontname=\"DejaVu Sans\", fontsize=12, nodesep=0.25, ranksep=0.35");
        if (!options.title().isEmpty()) {
            b.append(", labelloc=t, label=\"").append(escape(options.title())).append('"');
        }
        b.append("];\n");
        b.append("  node [fontname=\"DejaVu Sans\", fontsize=10, shape=box, style=\"rounded,filled\", fillcolor=white];\n");
        b.append("  edge [fontname=\"DejaVu Sans\", fontsize=8, color=\"#555555\", fontcolor=\"#555555\"];\n");
        Map<String, List<Node>> groups = new LinkedHashMap<>();
        for (Node n : graph.nodes()) {
            String key = options.clusters() ? prefix(n.name()) + (n.gradient() ? " ∇" : "") : n.name();
            groups.computeIfAbsent(key, k -> new ArrayList<>()).add(n);
        }
        int cluster = 0;
        for (Map.Entry<String, List<Node>> g : groups.entrySet()) {
            List<Node> members = g.getValue();
            if (members.size() < 2) {
                b.append(node(members.get(0), options, "  "));
                continue;
            }
            boolean gradient = members.get(0).gradient();
            b.append("  subgraph cluster_").append(cluster++).append(" {\n");
            b.append("    label=\"").append(escape(gradient ? g.getKey().replace(" ∇", " (gradients)") : g.getKey()))
                    .append("\"; style=\"rounded,filled\"; color=\"").append(gradient ? "#e6b0aa" : "#aab7c4")
                    .append("\"; fillcolor=\"").append(gradient ? "#fdf2f0" : "#f4f7fa").append("\";\n");
            for (Node n : members) {
                b.append(node(n, options, "    "));
            }
            b.append("  }\n");
        }
        for (Node n : graph.nodes()) {
            for (Node in : graph.inputsOf(n)) {
                b.append("  ").append(id(in)).append(" -> ").append(id(n)).append(" [label=\"")
                        .append(escape(in.shape().toString())).append('"');
                if (n.gradient()) {
                    b.append(", color=\"#c0392b\", fontcolor=\"#c0392b\", style=dashed");
                }
                b.append("];\n");
            }
        }
        return b.append("}\n").toString();
    }

    private static String node(Node n, Options options, String indent) {
        StringBuilder b = new StringBuilder(indent).append(id(n)).append(" [label=\"").append(escape(n.name()))
                .append("\\n");
        if (n.op() instanceof Parameter || n.op() instanceof Input) {
            b.append(escape(n.typeString())).append('"');
        } else {
            b.append(escape(n.op().kind())).append('"');
        }
        if (n.op() instanceof Input) {
            b.append(", shape=ellipse, style=filled, fillcolor=\"#d6eaf8\"");
        } else if (n.op() instanceof Parameter) {
            b.append(", style=\"rounded,filled\", fillcolor=\"#fcf3cf\"");
        } else if (n.op() instanceof Fill) {
            b.append(", shape=note, style=filled, fillcolor=\"#eeeeee\"");
        }
        if (n.gradient()) {
            b.append(", style=\"rounded,filled,dashed\", color=\"#c0392b\", fontcolor=\"#922b21\", fillcolor=\"#fadbd8\"");
        }
        if (options.highlight().contains(n.name())) {
            b.append(", penwidth=3, color=\"#ff0000\", fillcolor=\"#ff9e9e\", fontcolor=black");
        }
        b.append(", tooltip=\"").append(escape(n.name() + ": " + n.typeString() + " = " + n.op().kind())).append("\"];\n");
        return b.toString();
    }

    /** The layer a node belongs to: its name up to the first '.' or '@'. */
    static String prefix(String name) {
        int cut = name.length();
        for (char c : new char[] {'.', '@'}) {
            int i = name.indexOf(c);
            if (i > 0) {
                cut = Math.min(cut, i);
            }
        }
        return name.substring(0, cut);
    }

    private static String id(Node n) {
        return "n" + n.id();
    }

    private static String escape(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }
}
