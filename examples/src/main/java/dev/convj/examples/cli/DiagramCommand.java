package dev.convj.examples.cli;

import dev.convj.examples.ModelStore;
import dev.convj.graph.Graph;
import dev.convj.graph.ModelGraph;
import dev.convj.graph.autodiff.Autodiff;
import dev.convj.graph.viz.DotExport;
import dev.convj.runtime.viz.DiagramRenderer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code convj diagram}: the model's graph as SVG, PNG or DOT. */
@Command(name = "diagram", mixinStandardHelpOptions = true,
        description = "Draw a model's graph: nodes grouped by layer, shapes on the edges; with --gradients the "
                + "gradient nodes autodiff derives, drawn dashed and red.")
final class DiagramCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--model", defaultValue = "lenet5", description = "lenet5, vgg, a saved model, an ONNX file (.onnx) or a network description (default: ${DEFAULT-VALUE}).")
    String model;

    @Option(names = "--out", required = true, description = "Output file: .svg, .png or .dot.")
    Path out;

    @Option(names = "--gradients", description = "Include the gradient nodes of the loss with respect to every parameter.")
    boolean gradients;

    @Option(names = "--batch", defaultValue = "1", description = "Batch size shown in the shapes (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--highlight", split = ",", description = "Names of nodes to mark in red.")
    Set<String> highlight = Set.of();

    @Override
    public Integer call() throws IOException {
        ModelStore.Loaded loaded = ModelStore.resolve(model);
        ModelGraph mg = loaded.network().graph(batch);
        Graph g = gradients ? Autodiff.gradients(mg.graph(), mg.lossName()).graph() : mg.graph();
        for (String h : highlight) {
            g.node(h); // fails with the list of names when absent
        }
        String title = loaded.source() + (gradients ? " with gradient nodes" : "") + ", batch " + batch;
        DiagramRenderer.Rendered r = DiagramRenderer.render(
                DotExport.of(g, DotExport.Options.defaults().withTitle(title).withHighlight(highlight)), out);
        spec.commandLine().getOut().println(r.note().orElse("wrote " + out + " (" + g.size() + " nodes)"));
        spec.commandLine().getOut().flush();
        return 0;
    }
}
