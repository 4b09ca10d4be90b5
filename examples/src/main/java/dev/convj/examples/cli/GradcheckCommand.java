package dev.convj.examples.cli;

import dev.convj.graph.ModelGraph;
import dev.convj.examples.Models;
import dev.convj.graph.Node;
import dev.convj.runtime.Initializer;
import dev.convj.runtime.Tensor;
import dev.convj.runtime.check.GradientCheck;
import dev.convj.runtime.check.GradientCheckReport;
import dev.convj.runtime.check.OpCoverageReport;
import dev.convj.graph.Graph;
import dev.convj.graph.autodiff.Autodiff;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code convj gradcheck}: every gradient of a model against central finite differences, in float64. */
@Command(name = "gradcheck", mixinStandardHelpOptions = true,
        description = "Check each parameter's gradient node against central finite differences (float64). "
                + "Exits 1 when any check fails.")
final class GradcheckCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--model", defaultValue = "lenet5", description = "Built-in model: lenet5, vgg or all-ops (default: ${DEFAULT-VALUE}).")
    String model;

    @Option(names = "--batch", defaultValue = "2", description = "Images in the checked batch (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--samples", defaultValue = "24",
            description = "Coordinates checked per tensor; smaller tensors are checked whole (default: ${DEFAULT-VALUE}).")
    int samples;

    @Option(names = "--seed", defaultValue = "1", description = "Seed for weights, data and sampled coordinates (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--inputs", description = "Also check the gradient with respect to the input images.")
    boolean inputs;

    @Option(names = "--ops", description = "Also check every op's gradient rule node by node and list each op type "
            + "(always on for --model all-ops).")
    boolean ops;

    @Option(names = "--diagram", description = "Also draw the gradient graph (.svg, .png or .dot) with failing gradient nodes in red.")
    java.nio.file.Path diagram;

    @Override
    public Integer call() {
        if (batch < 1 || samples < 1) {
            throw new IllegalArgumentException("--batch and --samples must be ≥ 1");
        }
        ModelGraph ng = Models.byName(model).graph(batch);
        Map<String, Tensor> feeds = new LinkedHashMap<>(Initializer.initialize(ng.graph(), seed));
        Random random = new Random(seed + 1);
        Node x = ng.graph().node(ng.input());
        feeds.put(x.name(), Tensor.uniform(x.shape(), 0, 1, random));
        Node target = ng.graph().node(ng.target().orElseThrow());
        int classes = ng.graph().node(ng.output()).shape().dim(1);
        feeds.put(target.name(), Tensor.generate(target.shape(), i -> random.nextInt(classes)));
        if (ng.graph().has("step")) {
            feeds.put("step", Tensor.scalar(seed)); // the dropout masks of training step `seed`
        }
        java.util.List<String> wrt = new java.util.ArrayList<>(
                ng.parameters().stream().map(Node::name).toList());
        if (inputs) {
            wrt.add(0, x.name());
        }
        GradientCheck.Options options = GradientCheck.Options.defaults().withSamples(samples).withSeed(seed);
        GradientCheckReport report = GradientCheck.check(ng.graph(), ng.lossName(), wrt, feeds, options);
        PrintWriter out = spec.commandLine().getOut();
        out.println("model " + model + ", batch " + batch + ", seed " + seed);
        out.print(report);
        boolean passed = report.passed();
        Graph gradients = Autodiff.gradients(ng.graph(), ng.lossName(), wrt).graph();
        java.util.Set<String> failing = new java.util.HashSet<>();
        report.failures().forEach(f -> failing.add(f.gradientNode()));
        if (ops || model.equals("all-ops")) {
            OpCoverageReport coverage = OpCoverageReport.of(gradients, feeds, options);
            out.print(coverage);
            passed &= coverage.passed();
        }
        if (diagram != null) {
            String dot = dev.convj.graph.viz.DotExport.of(gradients, dev.convj.graph.viz.DotExport.Options.defaults()
                    .withTitle("gradient check of " + model + ": " + failing.size() + " failing").withHighlight(failing));
            dev.convj.runtime.viz.DiagramRenderer.Rendered r;
            try {
                r = dev.convj.runtime.viz.DiagramRenderer.render(dot, diagram);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            out.println(r.note().orElse("wrote " + diagram)
                    + (failing.isEmpty() ? "" : " (failing nodes in red: " + failing + ")"));
        }
        out.flush();
        return passed ? 0 : 1;
    }
}
