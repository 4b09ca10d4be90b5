package dev.convj.runtime.check;

import dev.convj.graph.Shape;
import java.util.List;
import java.util.Locale;

/** The outcome of a gradient check: one entry per differentiated parameter or input. */
public record GradientCheckReport(String loss, List<Entry> entries, GradientCheck.Options options) {

    public GradientCheckReport {
        entries = List.copyOf(entries);
    }

    /**
     * One checked tensor.
     *
     * @param name         the parameter or input
     * @param role         "parameter" or "input"
     * @param gradientNode the gradient node that was checked
     * @param worstIndex   the coordinate furthest outside (or least inside) the tolerance
     * @param refined      coordinates taken again with a smaller ε because ±ε crossed a kink
     * @param nonDifferentiable coordinates not compared: even ε/100 crossed a kink (a ReLU at 0, a max-pool tie)
     */
    public record Entry(String name, String role, String gradientNode, Shape shape, int checked, double maxAbsError,
                        double maxRelError, List<Integer> worstIndex, double worstAnalytic, double worstNumeric,
                        boolean passed, int refined, int nonDifferentiable) {
        public Entry {
            worstIndex = List.copyOf(worstIndex);
        }
    }

    public boolean passed() {
        return entries.stream().allMatch(Entry::passed);
    }

    public List<Entry> failures() {
        return entries.stream().filter(e -> !e.passed()).toList();
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "gradient check of %s: central differences ε=%.0e, pass when |a−n| ≤ %.0e"
                        + " + %.0e·max(|a|,|n|), float64%n", loss, options.epsilon(), options.absoluteTolerance(),
                options.relativeTolerance()));
        int width = Math.max(10, entries.stream().mapToInt(e -> e.name().length()).max().orElse(10));
        String row = "%-" + width + "s  %-9s  %-14s  %7s  %10s  %10s  %s%n";
        b.append(String.format(Locale.ROOT, row, "tensor", "role", "shape", "checked", "max abs", "max rel", "result"));
        for (Entry e : entries) {
            String result = e.passed() ? "ok" : String.format(Locale.ROOT,
                    "FAIL at %s: analytic %.6g vs numeric %.6g (gradient node %s)", e.worstIndex(), e.worstAnalytic(),
                    e.worstNumeric(), e.gradientNode());
            b.append(String.format(Locale.ROOT, row, e.name(), e.role(), e.shape(), e.checked(),
                    String.format(Locale.ROOT, "%.2e", e.maxAbsError()),
                    String.format(Locale.ROOT, "%.2e", e.maxRelError()), result));
        }
        for (Entry e : entries) {
            if (e.refined() > 0 || e.nonDifferentiable() > 0) {
                b.append(String.format(Locale.ROOT, "  %s: %s%s%n", e.name(), e.refined() == 0 ? ""
                        : e.refined() + " of " + e.checked() + " taken with a smaller ε (±ε crossed a ReLU or max-pool"
                        + " switch)", e.nonDifferentiable() == 0 ? "" : (e.refined() == 0 ? "" : "; ")
                        + e.nonDifferentiable() + " non-differentiable here (a switch within ±ε/100), not compared"));
            }
        }
        long failed = entries.size() - entries.stream().filter(Entry::passed).count();
        b.append(failed == 0 ? "PASSED: all " + entries.size() + " gradients agree\n"
                : "FAILED: " + failed + " of " + entries.size() + " gradients disagree\n");
        return b.toString();
    }
}
