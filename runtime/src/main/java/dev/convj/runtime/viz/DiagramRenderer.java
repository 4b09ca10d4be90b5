package dev.convj.runtime.viz;

import guru.nidi.graphviz.engine.Format;
import guru.nidi.graphviz.engine.Graphviz;
import guru.nidi.graphviz.engine.GraphvizCmdLineEngine;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

/**
 * Renders DOT text (made by {@link dev.convj.graph.viz.DotExport}) to SVG or PNG with graphviz-java driving the
 * Graphviz {@code dot} program, or writes it as {@code .dot}; the format follows the file's extension. PNG is
 * rasterized from the SVG in Java. Without {@code dot} the DOT text is written beside the requested file and a
 * one-line note says how to get the picture: ConvJ stays on the JVM and never loads graphviz-java's bundled native
 * V8 engine (its jars are excluded from the build).
 */
public final class DiagramRenderer {
    private DiagramRenderer() {}

    /** What {@link #render} wrote: {@code file}, and a note when that is DOT text in place of the picture asked for. */
    public record Rendered(Path file, Optional<String> note) {}

    private static Path engineDirectory;
    /** Held so the logging level set on it stays: svgSalamander logs a warning per text it cannot match to a font. */
    private static final java.util.logging.Logger SALAMANDER = java.util.logging.Logger.getLogger("com.kitfox.svg");

    private static synchronized void useDot(Path dotProgram) {
        Path dir = dotProgram.toAbsolutePath().getParent();
        if (!dir.equals(engineDirectory)) {
            System.setProperty("java.awt.headless", "true");
            SALAMANDER.setLevel(java.util.logging.Level.SEVERE);
            // The command-line engine alone: with no engine list graphviz-java would try its V8 engine too.
            Graphviz.useEngine(new GraphvizCmdLineEngine().searchPath(dir.toString()));
            engineDirectory = dir;
        }
    }

    /**
     * The Graphviz {@code dot} program: {@code -Dconvj.dot=FILE} if given ({@code none}: never draw), else the first on
     * the PATH, else empty.
     */
    public static Optional<Path> dotProgram() {
        String configured = System.getProperty("convj.dot");
        if (configured != null) {
            return configured.equals("none") ? Optional.empty() : Optional.of(Path.of(configured));
        }
        return dotProgram(System.getenv("PATH"));
    }

    /** The first executable {@code dot} in {@code path}, a list of directories as in the PATH variable. */
    static Optional<Path> dotProgram(String path) {
        if (path == null) {
            return Optional.empty();
        }
        String exe = File.separatorChar == '\\' ? "dot.exe" : "dot";
        for (String dir : path.split(File.pathSeparator)) {
            if (dir.isEmpty()) {
                continue;
            }
            try {
                Path candidate = Path.of(dir, exe);
                if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                    return Optional.of(candidate);
                }
            } catch (InvalidPathException e) {
                // A malformed PATH entry holds no program.
            }
        }
        return Optional.empty();
    }

    /** Writes {@code dot} to {@code out} as .svg, .png or .dot, by extension, with the {@code dot} on the PATH. */
    public static Rendered render(String dot, Path out) throws IOException {
        return render(dot, out, dotProgram());
    }

    /** As {@link #render(String, Path)}, with {@code dotProgram} the Graphviz executable, empty when absent. */
    public static Rendered render(String dot, Path out, Optional<Path> dotProgram) throws IOException {
        String name = out.getFileName().toString().toLowerCase(Locale.ROOT);
        Path parent = out.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        if (name.endsWith(".dot") || name.endsWith(".gv")) {
            Files.writeString(out, dot, StandardCharsets.UTF_8);
            return new Rendered(out, Optional.empty());
        }
        Format format;
        if (name.endsWith(".svg")) {
            format = Format.SVG;
        } else if (name.endsWith(".png")) {
            format = Format.PNG;
        } else {
            throw new IllegalArgumentException("diagram file " + out + ": use the extension .svg, .png or .dot");
        }
        if (dotProgram.isEmpty()) {
            String file = out.getFileName().toString();
            Path dotFile = out.resolveSibling(file.substring(0, file.lastIndexOf('.')) + ".dot");
            Files.writeString(dotFile, dot, StandardCharsets.UTF_8);
            return new Rendered(dotFile, Optional.of("wrote " + dotFile + " in place of " + out.getFileName()
                    + ": drawing it needs Graphviz's dot program (apt-get install graphviz), then dot -T"
                    + name.substring(name.lastIndexOf('.') + 1) + " " + dotFile + " -o " + out));
        }
        useDot(dotProgram.get());
        try {
            Graphviz.fromString(dot).render(format).toFile(out.toFile());
        } catch (RuntimeException e) {
            throw new IOException("rendering " + out + " with " + dotProgram.get() + " failed: " + e.getMessage(), e);
        }
        return new Rendered(out, Optional.empty());
    }

    /** The SVG text of {@code dot}, drawn by the {@code dot} program on the PATH. */
    public static String svg(String dot) throws IOException {
        Path program = dotProgram().orElseThrow(() -> new IOException(
                "drawing a diagram needs Graphviz's dot program (apt-get install graphviz)"));
        useDot(program);
        return Graphviz.fromString(dot).render(Format.SVG).toString();
    }
}
