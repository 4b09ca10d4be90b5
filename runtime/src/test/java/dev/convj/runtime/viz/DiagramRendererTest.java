package dev.convj.runtime.viz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Without Graphviz's dot program a diagram is written as DOT with one line on how to draw it, all on the JVM. */
class DiagramRendererTest {
    static final String DOT = "digraph convj {\n  a -> b\n}\n";

    @Test
    void withoutDotTheDotTextIsWrittenBesideWithOneLineSayingHowToDrawIt(@TempDir Path dir) throws Exception {
        Path svg = dir.resolve("model.svg");
        DiagramRenderer.Rendered r = DiagramRenderer.render(DOT, svg, Optional.empty());
        Path dot = dir.resolve("model.dot");
        assertEquals(dot, r.file());
        assertEquals(Optional.of("wrote " + dot + " in place of model.svg: drawing it needs Graphviz's dot program"
                + " (apt-get install graphviz), then dot -Tsvg " + dot + " -o " + svg), r.note());
        assertEquals(DOT, Files.readString(dot, StandardCharsets.UTF_8));
        assertFalse(Files.exists(svg));
        DiagramRenderer.Rendered png = DiagramRenderer.render(DOT, dir.resolve("g.PNG"), Optional.empty());
        assertEquals(dir.resolve("g.dot"), png.file());
        assertTrue(png.note().orElseThrow().endsWith("then dot -Tpng " + dir.resolve("g.dot") + " -o "
                + dir.resolve("g.PNG")), png.note().orElseThrow());
    }

    @Test
    void dotIsTheFirstExecutableOnThePath(@TempDir Path dir) throws Exception {
        Path plain = Files.createDirectories(dir.resolve("plain")), bin = Files.createDirectories(dir.resolve("bin"));
        Files.writeString(plain.resolve("dot"), "not a program");
        Path program = Files.writeString(bin.resolve("dot"), "#!/bin/sh\n");
        Files.setPosixFilePermissions(program, PosixFilePermissions.fromString("rwxr-xr-x"));
        assertEquals(Optional.of(program), DiagramRenderer.dotProgram(plain + ":" + bin));
        assertEquals(Optional.empty(), DiagramRenderer.dotProgram(plain.toString()));
        assertEquals(Optional.empty(), DiagramRenderer.dotProgram(""));
        assertEquals(Optional.empty(), DiagramRenderer.dotProgram(null));
    }

    @Test
    void graphvizJavasNativeV8EngineIsNotEvenOnTheClassPath() {
        assertThrows(ClassNotFoundException.class, () -> Class.forName("com.eclipsesource.v8.V8", false,
                DiagramRendererTest.class.getClassLoader()));
    }

    /** The program {@link #noNativeLibraryIsUnpackedOrLoadedWithoutDot} runs in a JVM of its own. */
    public static void main(String[] args) throws Exception {
        DiagramRenderer.Rendered r = DiagramRenderer.render(DOT, Path.of(args[0]));
        System.out.println(r.note().orElse("drew " + r.file()));
    }

    @Test
    void noNativeLibraryIsUnpackedOrLoadedWithoutDot(@TempDir Path dir) throws Exception {
        Path home = Files.createDirectories(dir.resolve("home")), tmp = Files.createDirectories(dir.resolve("tmp"));
        Path emptyPath = Files.createDirectories(dir.resolve("no-dot-here"));
        Path svg = dir.resolve("out").resolve("model.svg");
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Duser.home=" + home, "-Djava.io.tmpdir=" + tmp, "-Xlog:class+load=info:stdout",
                "-Xlog:library=info:stdout", "-cp", System.getProperty("java.class.path"),
                DiagramRendererTest.class.getName(), svg.toString()).redirectErrorStream(true);
        pb.environment().put("PATH", emptyPath.toString());
        pb.environment().remove("CONVJ_JAVA_OPTS");
        Process p = pb.start();
        List<String> lines = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        assertEquals(0, p.waitFor(), String.join("\n", lines));
        Path dot = svg.resolveSibling("model.dot");
        assertTrue(lines.contains("wrote " + dot + " in place of model.svg: drawing it needs Graphviz's dot program"
                + " (apt-get install graphviz), then dot -Tsvg " + dot + " -o " + svg), String.join("\n", lines));
        assertEquals(DOT, Files.readString(dot));
        List<String> native8 = lines.stream().filter(l -> l.toLowerCase().contains("v8")
                || l.contains("stack guard")).toList();
        assertEquals(List.of(), native8, "V8 classes or native libraries loaded");
        List<Path> left;
        try (Stream<Path> files = Stream.concat(Files.walk(home), Files.walk(tmp))) {
            left = files.filter(f -> !f.equals(home) && !f.equals(tmp)).toList();
        }
        assertEquals(List.of(), left, "files unpacked into the home or temporary directory");
    }
}
