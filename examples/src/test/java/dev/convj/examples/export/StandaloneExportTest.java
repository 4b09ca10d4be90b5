package dev.convj.examples.export;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convj.codegen.kernels.KernelChoice;
import dev.convj.examples.Models;
import dev.convj.graph.ModelGraph;
import dev.convj.graph.Node;
import dev.convj.runtime.Initializer;
import dev.convj.runtime.Tensor;
import dev.convj.runtime.compile.StandaloneExport;
import dev.convj.runtime.interp.ReferenceInterpreter;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The exported class compiles with plain javac (a separate process, no classpath, no flags), depends on nothing
 * but the JDK, and predicts what ConvJ's reference interpreter predicts with the same weights.
 */
class StandaloneExportTest {

    /** Portable: plain javac, no flags. Vector API: the micro-kernel and its helpers nested, one flag. */
    @ParameterizedTest(name = "vectorApi={0}")
    @ValueSource(booleans = {false, true})
    void exportedLenetCompilesWithJavacAndPredictsLikeTheInterpreter(boolean vectorApi, @TempDir Path dir)
            throws Exception {
        ModelGraph mg = Models.lenet5().graph(1);
        Map<String, float[]> weights = new HashMap<>();
        Map<String, Tensor> feeds = new HashMap<>();
        Initializer.initialize(mg.graph(), 7).forEach((name, t) -> {
            float[] f = new float[t.size()];
            for (int i = 0; i < f.length; i++) {
                f[i] = (float) t.get(i);
            }
            weights.put(name, f);
            feeds.put(name, Tensor.generate(t.shape(), i -> f[i]));
        });
        Path file = StandaloneExport.export(mg, weights, "com.acme.FashionNet", dir, vectorApi);
        assertEquals(dir.resolve("FashionNet.java"), file);
        String source = Files.readString(file);
        assertFalse(source.contains("import dev.convj"), "the export must not depend on ConvJ");
        assertTrue(source.contains(vectorApi ? "Compile with javac --add-modules jdk.incubator.vector FashionNet.java"
                : "Compile with plain javac FashionNet.java"), "the header says how to compile");
        assertEquals(vectorApi, source.contains("static final class Vector512Kernel implements MicroKernel"));
        assertEquals(vectorApi, source.contains("static final class KernelChoice"));

        Path classes = Files.createDirectories(dir.resolve("classes"));
        String javac = Path.of(System.getProperty("java.home"), "bin", "javac").toString();
        List<String> command = new ArrayList<>(List.of(javac, "-d", classes.toString()));
        if (vectorApi) {
            command.addAll(List.of("--add-modules", "jdk.incubator.vector"));
        }
        command.add(file.toString());
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), "javac failed:\n" + log);
        assertFalse(log.contains("proprietary"), "the export names an internal JDK API:\n" + log);

        // The exported kernels run in this JVM beside ConvJ's own: they must run the same vector width (on JDK 17 a
        // second width makes C2 box the vectors of both), so the choice made here is passed on as a forced one.
        System.setProperty("convj.vectorBits", Integer.toString(KernelChoice.vectorBits()));
        Random random = new Random(3);
        Node x = mg.graph().node(mg.input());
        try (URLClassLoader loader = new URLClassLoader(new URL[] {classes.toUri().toURL()},
                ClassLoader.getPlatformClassLoader())) {
            Class<?> type = loader.loadClass("com.acme.FashionNet");
            Object net = type.getConstructor().newInstance();
            Method predict = type.getMethod("predict", float[].class);
            Method classify = type.getMethod("classify", float[].class);
            for (int image = 0; image < 3; image++) {
                float[] pixels = new float[784];
                for (int i = 0; i < pixels.length; i++) {
                    pixels[i] = random.nextFloat();
                }
                feeds.put(x.name(), Tensor.generate(x.shape(), i -> pixels[i]));
                Tensor expected = ReferenceInterpreter.float64().run(mg.graph(), feeds, mg.output());
                float[] got = (float[]) predict.invoke(net, (Object) pixels);
                assertEquals(10, got.length);
                int best = 0;
                for (int i = 0; i < 10; i++) {
                    assertEquals(expected.get(i), got[i], 1e-4, "logit " + i + " of image " + image);
                    best = expected.get(i) > expected.get(best) ? i : best;
                }
                assertEquals(best, classify.invoke(net, (Object) pixels));
            }
            float[][] batch = (float[][]) type.getMethod("predict", float[][].class)
                    .invoke(net, (Object) new float[][] {new float[784], new float[784]});
            assertArrayEquals(batch[0], batch[1]);
            ((AutoCloseable) net).close();
        }
    }
}
