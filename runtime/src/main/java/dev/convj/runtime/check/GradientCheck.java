package dev.convj.runtime.check;

import dev.convj.graph.Graph;
import dev.convj.graph.Node;
import dev.convj.graph.autodiff.Autodiff;
import dev.convj.graph.autodiff.GradientGraph;
import dev.convj.graph.ops.Parameter;
import dev.convj.runtime.Tensor;
import dev.convj.runtime.interp.Branches;
import dev.convj.runtime.interp.ReferenceInterpreter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * Checks the gradient nodes that autodiff derives against central finite differences of the loss, all in
 * float64: numeric[i] = (L(t + ε·e_i) − L(t − ε·e_i)) / 2ε. Large tensors are checked at a seeded sample of
 * coordinates. A difference whose ±ε interval holds a kink (a ReLU input or a max-pool window's winner changes
 * between t − ε, t and t + ε) does not measure the derivative, so that coordinate is taken again with ε/10 and
 * ε/100, and is reported as non-differentiable here, not compared, if even those cross a kink: a failure always
 * means a wrong gradient.
 */
public final class GradientCheck {
    private GradientCheck() {}

    /**
     * How to check.
     *
     * @param epsilon           the finite-difference step
     * @param absoluteTolerance a coordinate passes when |analytic − numeric| ≤ abs + rel · max(|analytic|, |numeric|)
     * @param relativeTolerance see above
     * @param samplesPerTensor  coordinates checked per tensor; smaller tensors are checked whole
     * @param seed              picks the sampled coordinates
     */
    public record Options(double epsilon, double absoluteTolerance, double relativeTolerance, int samplesPerTensor,
                          long seed) {
        public Options {
            if (!(epsilon > 0) || absoluteTolerance < 0 || relativeTolerance < 0 || samplesPerTensor < 1) {
                throw new IllegalArgumentException("need ε > 0, tolerances ≥ 0 and at least one sample per tensor");
            }
        }

        public static Options defaults() {
            return new Options(1e-6, 1e-6, 1e-5, 40, 1);
        }

        public Options withSeed(long newSeed) {
            return new Options(epsilon, absoluteTolerance, relativeTolerance, samplesPerTensor, newSeed);
        }

        public Options withSamples(int samples) {
            return new Options(epsilon, absoluteTolerance, relativeTolerance, samples, seed);
        }
    }

    /** Checks dL/d(every parameter and float input that {@code feeds} gives) of the scalar node {@code loss}. */
    public static GradientCheckReport check(Graph graph, String loss, Map<String, Tensor> feeds, Options options) {
        List<String> wrt = new ArrayList<>();
        for (Node n : graph.nodes()) {
            boolean leaf = n.op() instanceof Parameter || n.op() instanceof dev.convj.graph.ops.Input;
            if (leaf && n.dtype().isFloat() && feeds.containsKey(n.name())) {
                wrt.add(n.name());
            }
        }
        return check(graph, loss, wrt, feeds, options);
    }

    /** Checks dL/d{@code wrt} for each named parameter or input. */
    public static GradientCheckReport check(Graph graph, String loss, List<String> wrt, Map<String, Tensor> feeds,
                                            Options options) {
        return check(graph, Autodiff.gradients(graph, loss, wrt), wrt, feeds, options);
    }

    /** Checks the gradient nodes of {@code gg} (derived from {@code graph}) against finite differences. */
    static GradientCheckReport check(Graph graph, GradientGraph gg, List<String> wrt, Map<String, Tensor> feeds,
                                     Options options) {
        String loss = gg.loss();
        ReferenceInterpreter interpreter = ReferenceInterpreter.float64();
        List<String> gradNames = wrt.stream().map(w -> gg.gradientOf(w).name()).toList();
        Map<String, Tensor> analytic = interpreter.run(gg.graph(), feeds, new LinkedHashSet<>(gradNames));
        Kinks kinks = Kinks.of(graph, loss, interpreter, feeds);
        Random random = new Random(options.seed());
        List<GradientCheckReport.Entry> entries = new ArrayList<>();
        for (int k = 0; k < wrt.size(); k++) {
            String name = wrt.get(k);
            Node node = graph.node(name);
            Tensor grad = analytic.get(gradNames.get(k));
            Tensor value = feeds.get(name);
            int[] coordinates = sample(value.size(), options.samplesPerTensor(), random);
            double worstExcess = Double.NEGATIVE_INFINITY, maxAbs = 0, maxRel = 0;
            int worst = coordinates[0], refined = 0, nonDifferentiable = 0;
            double worstAnalytic = 0, worstNumeric = 0;
            for (int i : coordinates) {
                double eps = options.epsilon();
                Difference d = kinks.difference(interpreter, feeds, name, i, eps);
                // ε/100 still leaves float64 round-off (~1e-16·|L|/ε) far below the tolerances.
                for (int smaller = 0; smaller < 2 && d.acrossKink(); smaller++) {
                    eps /= 10;
                    d = kinks.difference(interpreter, feeds, name, i, eps);
                }
                if (d.acrossKink()) {
                    nonDifferentiable++;
                    continue;
                }
                if (eps != options.epsilon()) {
                    refined++;
                }
                double numeric = d.slope();
                double a = grad.get(i);
                double abs = Math.abs(a - numeric);
                double scale = Math.max(Math.abs(a), Math.abs(numeric));
                double rel = scale == 0 ? 0 : abs / scale;
                maxAbs = Math.max(maxAbs, abs);
                maxRel = Math.max(maxRel, rel);
                double excess = abs - (options.absoluteTolerance() + options.relativeTolerance() * scale);
                if (excess > worstExcess) {
                    worstExcess = excess;
                    worst = i;
                    worstAnalytic = a;
                    worstNumeric = numeric;
                }
            }
            String role = node.op() instanceof Parameter ? "parameter" : "input";
            entries.add(new GradientCheckReport.Entry(name, role, gradNames.get(k), node.shape(),
                    coordinates.length, maxAbs, maxRel, List.of(toList(value.unflatten(worst))), worstAnalytic,
                    worstNumeric, worstExcess <= 0, refined, nonDifferentiable));
        }
        return new GradientCheckReport(loss, entries, options);
    }

    /** A central difference, and whether a piecewise op changed branch within its ±ε interval. */
    private record Difference(double slope, boolean acrossKink) {}

    /** The piecewise ops the loss depends on, with the branches they take at the unperturbed feeds. */
    private record Kinks(Graph graph, String loss, List<Node> piecewise, List<String> fetch, List<int[]> atBase) {

        static Kinks of(Graph graph, String loss, ReferenceInterpreter interpreter, Map<String, Tensor> feeds) {
            boolean[] upstream = new boolean[graph.size()];
            upstream[graph.node(loss).id()] = true;
            for (int id = graph.size() - 1; id >= 0; id--) {
                if (upstream[id]) {
                    for (int in : graph.node(id).inputs()) {
                        upstream[in] = true;
                    }
                }
            }
            List<Node> piecewise = new ArrayList<>();
            Set<String> fetch = new LinkedHashSet<>(List.of(loss));
            for (Node n : graph.nodes()) {
                if (upstream[n.id()] && Branches.piecewise(n.op())) {
                    piecewise.add(n);
                    fetch.add(switching(graph, n));
                }
            }
            List<String> names = List.copyOf(fetch);
            return new Kinks(graph, loss, piecewise, names,
                    branches(graph, piecewise, interpreter.run(graph, feeds, names)));
        }

        private static String switching(Graph graph, Node n) {
            return graph.node(n.inputs().get(Branches.switchingInput(n.op()))).name();
        }

        private static List<int[]> branches(Graph graph, List<Node> piecewise, Map<String, Tensor> values) {
            List<int[]> result = new ArrayList<>(piecewise.size());
            for (Node n : piecewise) {
                result.add(Branches.of(graph, n, values.get(switching(graph, n))));
            }
            return result;
        }

        private boolean departsFromBase(Map<String, Tensor> values) {
            List<int[]> now = branches(graph, piecewise, values);
            for (int p = 0; p < now.size(); p++) {
                if (Branches.differ(now.get(p), atBase.get(p))) {
                    return true;
                }
            }
            return false;
        }

        Difference difference(ReferenceInterpreter interpreter, Map<String, Tensor> feeds, String name, int i,
                              double eps) {
            Tensor base = feeds.get(name);
            Map<String, Tensor> shifted = new HashMap<>(feeds);
            shifted.put(name, base.with(i, base.get(i) + eps));
            Map<String, Tensor> plus = interpreter.run(graph, shifted, fetch);
            shifted.put(name, base.with(i, base.get(i) - eps));
            Map<String, Tensor> minus = interpreter.run(graph, shifted, fetch);
            double slope = (plus.get(loss).get(0) - minus.get(loss).get(0)) / (2 * eps);
            return new Difference(slope, departsFromBase(plus) || departsFromBase(minus));
        }
    }

    /** Every coordinate of a small tensor, else {@code samples} distinct coordinates drawn with {@code random}. */
    private static int[] sample(int size, int samples, Random random) {
        if (size <= samples) {
            int[] all = new int[size];
            for (int i = 0; i < size; i++) {
                all[i] = i;
            }
            return all;
        }
        Set<Integer> chosen = new LinkedHashSet<>();
        while (chosen.size() < samples) {
            chosen.add(random.nextInt(size));
        }
        return chosen.stream().mapToInt(Integer::intValue).sorted().toArray();
    }

    private static Integer[] toList(int[] v) {
        Integer[] r = new Integer[v.length];
        for (int i = 0; i < v.length; i++) {
            r[i] = v[i];
        }
        return r;
    }
}
