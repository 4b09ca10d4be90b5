package dev.convj.runtime.compile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convj.codegen.GeneratedSource;
import dev.convj.graph.Graph;
import dev.convj.graph.ShapeException;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad input to compiled code is a clear error raised before any generated loop runs. */
class CompiledGraphErrorsTest {
    private static final GraphCompiler COMPILER = new GraphCompiler(null);

    @Test
    void wrongLengthsAndTypesAreRefusedBeforeRunning() {
        Graph g = LenetCompiledTest.lenet(2);
        try (CompiledGraph c = COMPILER.compile(g, 1)) {
            ShapeException e = assertThrows(ShapeException.class, () -> c.set("x", new float[784]));
            assertEquals("x: f32[2,1,28,28] holds 1568 values, got an array of 784 (a batch of 1? compile the graph "
                    + "for that batch)", e.getMessage());
            e = assertThrows(ShapeException.class, () -> c.set("labels", new float[2]));
            assertEquals("labels: i32[2] is set with setInts(name, int[])", e.getMessage());
            e = assertThrows(ShapeException.class, () -> c.set("conv1", new float[9408]));
            assertEquals("conv1 (conv2d): only inputs and parameters can be set", e.getMessage());
            IllegalArgumentException g2 = assertThrows(IllegalArgumentException.class, () -> c.get("relu1"));
            assertTrue(g2.getMessage().startsWith("'relu1' is not a float output, input or parameter"), g2.getMessage());
        }
    }

    @Test
    void aLabelOutsideTheClassesIsAnErrorNotAnIndexFault() {
        Graph g = LenetCompiledTest.lenet(2);
        try (CompiledGraph c = COMPILER.compile(g, 1)) {
            c.setInts("labels", new int[] {3, 10});
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, c::run);
            assertEquals("loss (softmax_cross_entropy): label 10 at batch index 1 is not a class index in [0, 10)",
                    e.getMessage());
        }
    }

    @Test
    void sourcesOnTheClassPathAreNeverCompiledInsteadOfTheirClasses(@TempDir Path dir) throws Exception {
        // ConvJ's jars carry the kernels' sources (for standalone export), stamped as new as their classes, and
        // javac left to itself compiles a class path's source when it is newer: it must take the classes. A
        // newer, broken MaxPool2x2.java ahead of them on the class path proves it.
        Path kernel = dir.resolve("dev/convj/codegen/kernels/MaxPool2x2.java");
        Files.createDirectories(kernel.getParent());
        Files.writeString(kernel, "package dev.convj.codegen.kernels; this does not compile");
        Files.setLastModifiedTime(kernel, FileTime.from(Instant.now().plus(Duration.ofDays(1))));
        GeneratedSource source = COMPILER.generate(LenetCompiledTest.lenet(2));
        assertTrue(source.source().contains("MaxPool2x2."), "the graph uses the kernel");
        InMemoryJavac javac = new InMemoryJavac(dir + File.pathSeparator + InMemoryJavac.classpath());
        assertFalse(javac.compile(source).isEmpty());
    }

    @Test
    void aJavacFailureShowsTheLineAndTheNode() {
        String source = "package dev.convj.generated;\n"
                + "final class Broken {\n"
                + "    /**\n"
                + "     * conv1: f32[1,6,28,28] = conv2d(x, conv1.weight)\n"
                + "     */\n"
                + "    void conv1() {\n"
                + "        int y = undefinedBuffer[0];\n"
                + "    }\n"
                + "}\n";
        GeneratedCodeException e = assertThrows(GeneratedCodeException.class,
                () -> new InMemoryJavac().compile(new GeneratedSource("dev.convj.generated.Broken", source)));
        assertTrue(e.getMessage().contains("line 7: cannot find symbol"), e.getMessage());
        assertTrue(e.getMessage().contains("> int y = undefinedBuffer[0];"), e.getMessage());
        assertTrue(e.getMessage().contains("in the code for node: conv1: f32[1,6,28,28] = conv2d(x, conv1.weight)"),
                e.getMessage());
    }
}
