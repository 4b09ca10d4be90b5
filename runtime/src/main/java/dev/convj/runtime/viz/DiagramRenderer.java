package dev.convj.runtime.viz;

import guru.nidi.graphviz.engine.Format;
import guru.nidi.graphviz.engine.Graphviz;
import guru.nidi.graphviz.engine.GraphvizCmdLineEngine;
import guru.nidi.graphviz.engine.GraphvizV8Engine;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Renders DOT text (made by {@link dev.convj.graph.viz.DotExport}) to SVG or PNG with graphviz-java, or writes it
 * as {@code .dot}; the format follows the file's extension. graphviz-java runs the {@code dot} command (Debian
 * package {@code graphviz}, fast) and falls back to its bundled V8 engine when the command is absent. PNG is
 * rasterized from the SVG in Java.
 */
public final class DiagramRenderer {
    private DiagramRenderer() {}

    private static boolean engineChosen;
    /** Held so the logging level set on it stays: svgSalamander logs a warning per text it cannot match to a font. */
    private static final java.util.logging.Logger SALAMANDER = java.util.logging.Logger.getLogger("com.kitfox.svg");

    private static synchronized void chooseEngine() {
        if (!engineChosen) {
            System.setProperty("java.awt.headless", "true");
            SALAMANDER.setLevel(java.util.logging.Level.SEVERE);
            Graphviz.useEngine(new GraphvizCmdLineEngine(), new GraphvizV8Engine());
            engineChosen = true;
        }
    }

    /** Writes {@code dot} to {@code out} as .svg, .png or .dot, by extension. */
    public static void render(String dot, Path out) throws IOException {
        String name = out.getFileName().toString().toLowerCase(Locale.ROOT);
        Path parent = out.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        if (name.endsWith(".dot") || name.endsWith(".gv")) {
            Files.writeString(out, dot, StandardCharsets.UTF_8);
            return;
        }
        Format format;
        if (name.endsWith(".svg")) {
            format = Format.SVG;
        } else if (name.endsWith(".png")) {
            format = Format.PNG;
        } else {
            throw new IllegalArgumentException("diagram file " + out + ": use the extension .svg, .png or .dot");
        }
        chooseEngine();
        try {
            Graphviz.fromString(dot).render(format).toFile(out.toFile());
        } catch (RuntimeException e) {
            throw new IOException("rendering " + out + " failed (install Graphviz: apt-get install graphviz): "
                    + e.getMessage(), e);
        }
    }

    /** The SVG text of {@code dot}. */
    public static String svg(String dot) throws IOException {
        chooseEngine();
        return Graphviz.fromString(dot).render(Format.SVG).toString();
    }
}
