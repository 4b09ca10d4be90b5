package dev.convj.examples.viz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.convj.dsl.Layer;
import dev.convj.dsl.Network;
import dev.convj.examples.Models;
import dev.convj.graph.ModelGraph;
import dev.convj.graph.autodiff.Autodiff;
import dev.convj.graph.viz.DotExport;
import dev.convj.runtime.viz.DiagramRenderer;
import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** LeNet-5's diagram renders to SVG and PNG with graphviz-java, and the SVG names every layer. */
class LenetDiagramTest {

    @TempDir
    Path dir;

    @BeforeEach
    void needsGraphviz() {
        assumeTrue(DiagramRenderer.dotProgram().isPresent(), "drawing needs Graphviz's dot program");
    }

    @Test
    void lenetRendersToSvgAndPngNamingEveryLayer() throws Exception {
        Network lenet = Models.lenet5();
        ModelGraph mg = lenet.graph(1);
        String dot = DotExport.of(mg.graph(), DotExport.Options.defaults().withTitle("LeNet-5"));
        Path svg = dir.resolve("lenet5.svg"), png = dir.resolve("lenet5.png");
        DiagramRenderer.render(dot, svg);
        DiagramRenderer.render(dot, png);
        String text = Files.readString(svg, StandardCharsets.UTF_8);
        assertTrue(text.contains("<svg"), "an SVG document");
        for (Layer layer : lenet.layers()) {
            assertTrue(text.contains(">" + layer.name() + "<"), "the SVG names layer " + layer.name());
        }
        for (String p : new String[] {"conv1.weight", "fc3.bias", "x", "labels", "loss"}) {
            assertTrue(text.contains(">" + p + "<"), p);
        }
        BufferedImage image = ImageIO.read(png.toFile());
        assertNotNull(image, "a PNG that ImageIO reads");
        assertTrue(image.getWidth() > 200 && image.getHeight() > 400, image.getWidth() + "×" + image.getHeight());
    }

    @Test
    void gradientDiagramMarksGradientNodes() throws Exception {
        ModelGraph mg = Models.lenet5().graph(1);
        var gg = Autodiff.gradients(mg.graph(), mg.lossName());
        String dot = DotExport.of(gg.graph(), DotExport.Options.defaults()
                .withHighlight(java.util.Set.of(gg.gradientOf("conv1.weight").name())));
        Path svg = dir.resolve("grad.svg");
        DiagramRenderer.render(dot, svg);
        String text = Files.readString(svg, StandardCharsets.UTF_8);
        assertTrue(text.contains(">conv1.weight.grad<"));
        assertTrue(text.contains("conv1 (gradients)"));
        assertTrue(text.contains("stroke-dasharray"), "gradient nodes are dashed");
        assertTrue(text.contains("#ff0000"), "the highlighted node is red");
        DiagramRenderer.render(dot, dir.resolve("grad.dot"));
        assertEquals(dot, Files.readString(dir.resolve("grad.dot")));
    }
}
