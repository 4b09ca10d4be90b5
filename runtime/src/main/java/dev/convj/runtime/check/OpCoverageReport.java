package dev.convj.runtime.check;

import dev.convj.graph.Graph;
import dev.convj.graph.ops.Op;
import dev.convj.runtime.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The node-by-node gradient check of a graph, grouped by op type: every op of the IR is listed, with the nodes of the
 * graph checked for it, or, for an op the graph does not use, its cases from {@link OpCases}.
 */
public record OpCoverageReport(Map<String, Row> rows) {

    /** One op type: where its checks came from, how many, the worst relative error and the kinds seen. */
    public record Row(String op, String source, List<String> kinds, int checks, double maxRelError, boolean passed,
                      String failure) {}

    public boolean passed() {
        return rows.values().stream().allMatch(Row::passed);
    }

    /** Checks each node of {@code graph} and the cases of every op type the graph does not reach. */
    public static OpCoverageReport of(Graph graph, Map<String, Tensor> feeds, GradientCheck.Options options) {
        Map<String, List<OpGradientCheck.Result>> byOp = new TreeMap<>();
        Map<String, String> source = new LinkedHashMap<>();
        for (OpGradientCheck.Result r : OpGradientCheck.checkNodes(graph, feeds, options)) {
            byOp.computeIfAbsent(r.opType(), k -> new ArrayList<>()).add(r);
            source.put(r.opType(), "graph");
        }
        for (Class<?> type : Op.class.getPermittedSubclasses()) {
            if (!byOp.containsKey(type.getSimpleName())) {
                for (OpCases.Case c : OpCases.all()) {
                    if (c.op().getClass() == type) {
                        byOp.computeIfAbsent(type.getSimpleName(), k -> new ArrayList<>()).add(c.check(options));
                        source.put(type.getSimpleName(), c.operands().isEmpty() ? "leaf" : "case");
                    }
                }
            }
            if (!byOp.containsKey(type.getSimpleName())) {
                byOp.put(type.getSimpleName(), List.of());
                source.put(type.getSimpleName(), "MISSING");
            }
        }
        Map<String, Row> rows = new LinkedHashMap<>();
        for (Map.Entry<String, List<OpGradientCheck.Result>> e : byOp.entrySet()) {
            List<OpGradientCheck.Result> results = e.getValue();
            List<String> kinds = results.stream().map(OpGradientCheck.Result::kind).distinct().sorted().toList();
            double worst = results.stream().mapToDouble(OpGradientCheck.Result::maxRelError).max().orElse(0);
            String failure = results.stream().filter(r -> !r.passed()).findFirst()
                    .map(r -> r.op() + " on " + r.operands() + ": " + r.report().failures().get(0).name() + " "
                            + r.report().failures().get(0).worstAnalytic() + " vs "
                            + r.report().failures().get(0).worstNumeric())
                    .orElse("");
            boolean ok = failure.isEmpty() && !"MISSING".equals(source.get(e.getKey()));
            rows.put(e.getKey(), new Row(e.getKey(), source.get(e.getKey()), kinds, results.size(), worst, ok,
                    "MISSING".equals(source.get(e.getKey())) ? "no node and no case" : failure));
        }
        return new OpCoverageReport(rows);
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("gradient rules, node by node (source: graph = nodes of the model's "
                + "gradient graph, case = a built-in case, leaf = nothing to differentiate)\n");
        String fmt = "%-20s %-6s %6s %9s  %-6s %s%n";
        b.append(String.format(Locale.ROOT, fmt, "op", "source", "checks", "max rel", "result", "kinds"));
        for (Row r : rows.values()) {
            b.append(String.format(Locale.ROOT, fmt, r.op(), r.source(), r.checks(),
                    String.format(Locale.ROOT, "%.1e", r.maxRelError()), r.passed() ? "ok" : "FAIL",
                    String.join(" ", r.kinds()) + (r.passed() ? "" : "  " + r.failure())));
        }
        long failed = rows.values().stream().filter(r -> !r.passed()).count();
        b.append(failed == 0 ? "PASSED: the gradient rules of all " + rows.size() + " op types agree\n"
                : "FAILED: " + failed + " of " + rows.size() + " op types\n");
        return b.toString();
    }
}
