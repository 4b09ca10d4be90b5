package dev.convj.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convj.dsl.Network;
import dev.convj.examples.data.FashionData;
import dev.convj.graph.Graph;
import dev.convj.runtime.train.Trainer;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's library program, copied from README.md as it stands, compiles against ConvJ and runs. */
class ReadmeLibraryExampleTest {

    @TempDir
    Path dir;

    static String program() throws Exception {
        Path readme = Path.of("..", "README.md");
        String text = Files.readString(readme, StandardCharsets.UTF_8);
        int marker = text.indexOf("<!-- library-example -->");
        assertTrue(marker >= 0, "README.md marks its library example");
        int start = text.indexOf("```java\n", marker) + "```java\n".length();
        int end = text.indexOf("```", start);
        return text.substring(start, end);
    }

    @Test
    void readmeProgramCompilesAndTrains() throws Exception {
        Path src = dir.resolve("FashionNet.java");
        Files.writeString(src, program());
        Set<String> classpath = new LinkedHashSet<>();
        for (Class<?> c : List.of(Network.class, Trainer.class, Graph.class)) {
            classpath.add(Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString());
        }
        classpath.addAll(List.of(System.getProperty("java.class.path").split(File.pathSeparator)));
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
        int code = javac.run(null, null, diagnostics, "-classpath", String.join(File.pathSeparator, classpath),
                "-d", dir.toString(), src.toString());
        assertEquals(0, code, diagnostics.toString());

        String data = Path.of(FashionData.class.getResource(FashionData.EMBEDDED).toURI()).toString();
        PrintStream saved = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        try (URLClassLoader loader = new URLClassLoader(new URL[] {dir.toUri().toURL()}, getClass().getClassLoader())) {
            Method main = loader.loadClass("FashionNet").getMethod("main", String[].class);
            System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
            main.invoke(null, (Object) new String[] {data, "256"});
        } finally {
            System.setOut(saved);
        }
        String out = captured.toString(StandardCharsets.UTF_8);
        assertTrue(out.contains("epoch 1/1"), out);
        assertTrue(out.contains("Fashion-MNIST test: 1000 images, loss "), out);
        assertTrue(out.contains("overall accuracy"), out);
    }
}
