package dev.convj.examples.lessons;

import static dev.convj.dsl.LayerOption.pad;
import static dev.convj.dsl.LayerOption.stride;

import dev.convj.dsl.Network;
import dev.convj.graph.ModelGraph;
import dev.convj.graph.autodiff.Autodiff;
import dev.convj.graph.autodiff.GradientGraph;
import dev.convj.graph.viz.DotExport;
import dev.convj.runtime.Initializer;
import dev.convj.runtime.Tensor;
import dev.convj.runtime.check.GradientCheck;
import dev.convj.runtime.check.GradientCheckReport;
import dev.convj.runtime.viz.DiagramRenderer;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * Lesson 5: proving gradients right. Autodiff derives a gradient node for every parameter (conv's input gradient
 * is a transposed convolution, its weight gradient a correlation); central differences
 * (L(w+ε) − L(w−ε)) / 2ε in float64 must agree. The gradient graph is drawn with failing nodes in red.
 * Argument: [output diagram, default runs/lesson05/gradients.svg].
 */
public final class Lesson05GradientCheck {
    private Lesson05GradientCheck() {}

    public static void main(String[] args) throws Exception {
        Network net = Network.input(2, 9, 9)
                .conv2d(3, 3, pad(1), stride(2)).tanh().avgPool(2)
                .conv2d(4, 2).relu().maxPool(1).flatten()
                .dense(5).sigmoid().dense(3)
                .softmaxCrossEntropy();
        ModelGraph mg = net.graph(2);
        Map<String, Tensor> feeds = new HashMap<>(Initializer.initialize(mg.graph(), 1));
        Random random = new Random(2);
        feeds.put("x", Tensor.uniform(mg.graph().node("x").shape(), -1, 1, random));
        feeds.put("labels", Tensor.of(mg.graph().node("labels").shape(), 0, 2));

        GradientCheckReport report = GradientCheck.check(mg.graph(), "loss", feeds, GradientCheck.Options.defaults());
        System.out.print(report);

        GradientGraph gg = Autodiff.gradients(mg.graph(), "loss",
                report.entries().stream().map(GradientCheckReport.Entry::name).toList());
        Set<String> failing = new HashSet<>();
        report.failures().forEach(f -> failing.add(f.gradientNode()));
        Path out = Path.of(args.length > 0 ? args[0] : "runs/lesson05/gradients.svg");
        DiagramRenderer.Rendered r = DiagramRenderer.render(DotExport.of(gg.graph(), DotExport.Options.defaults()
                .withTitle("gradient check: " + (failing.isEmpty() ? "all pass" : failing + " fail"))
                .withHighlight(failing)), out);
        System.out.println(r.note().orElse("gradient graph (" + gg.graph().size() + " nodes) drawn in " + out));
    }
}
