package dev.convj.onnx.imports;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convj.graph.ModelGraph;
import dev.convj.graph.Shape;
import dev.convj.runtime.Executable;
import dev.convj.runtime.Tensor;
import dev.convj.runtime.data.Npy;
import dev.convj.runtime.interp.ReferenceInterpreter;
import dev.convj.runtime.train.ExecutableFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** The PyTorch fixtures of src/test/resources/onnx (written by make_fixtures.py) and ways to run an import. */
final class Fixtures {
    private Fixtures() {}

    static final Path DIR = Path.of("src/test/resources/onnx");

    static final List<String> NAMES = List.of("lenet5", "vgg_bn", "vgg_bn_nofold", "resnet", "resnet_nofold", "branches",
            "conv_variants", "deconv", "pools", "net1d", "net3d", "arithmetic", "idioms");

    static final List<Integer> OPSETS = List.of(13, 17);

    /** Every (fixture, opset) pair, as "name.opsetK". */
    static Stream<String> files() {
        return NAMES.stream().flatMap(n -> OPSETS.stream().map(o -> n + ".opset" + o));
    }

    static Path onnx(String file) {
        return DIR.resolve(file + ".onnx");
    }

    static String base(String file) {
        return file.substring(0, file.indexOf(".opset"));
    }

    static Npy.Array input(String file) {
        return npy(DIR.resolve(base(file) + ".input.npy"));
    }

    static Npy.Array output(String file) {
        return npy(DIR.resolve(base(file) + ".output.npy"));
    }

    private static Npy.Array npy(Path p) {
        try {
            return Npy.read(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The imported model's inference graph for {@code n} images, compiled, on {@code threads} threads. */
    static float[] runCompiled(ImportedModel m, float[] x, int n, int threads) {
        ModelGraph g = m.network().inferenceGraph(n);
        Executable exe = ExecutableFactory.compiled(threads).create(g.graph());
        m.weights().forEach(exe::set);
        exe.set(g.input(), x);
        exe.run();
        return exe.get(g.output()).clone();
    }

    /** The same graph through the float64 reference interpreter. */
    static double[] runInterpreter(ImportedModel m, float[] x, int n) {
        ModelGraph g = m.network().inferenceGraph(n);
        Map<String, Tensor> feeds = new HashMap<>();
        m.weights().forEach((k, v) -> feeds.put(k, tensor(g.graph().node(k).shape(), v)));
        feeds.put(g.input(), tensor(g.graph().node(g.input()).shape(), x));
        return ReferenceInterpreter.float64().run(g.graph(), feeds, g.output()).data();
    }

    private static Tensor tensor(Shape shape, float[] v) {
        double[] d = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            d[i] = v[i];
        }
        return Tensor.wrap(shape, d);
    }

    /** Asserts |a − b| / (1 + |b|) ≤ tolerance everywhere, naming the worst element. */
    static void assertClose(String what, double[] actual, float[] expected, double tolerance) {
        assertArrayEquals(new int[] {expected.length}, new int[] {actual.length}, what + ": output size");
        double worst = 0;
        int at = -1;
        for (int i = 0; i < actual.length; i++) {
            double e = Math.abs(actual[i] - expected[i]) / (1 + Math.abs(expected[i]));
            if (!(e <= worst)) {
                worst = e;
                at = i;
            }
        }
        double w = worst;
        int a = at;
        assertTrue(w <= tolerance, () -> what + ": worst |a−b|/(1+|b|) = " + w + " at " + a + " (ConvJ "
                + actual[a] + ", expected " + expected[a] + ")");
    }

    static double[] widen(float[] v) {
        double[] d = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            d[i] = v[i];
        }
        return d;
    }

    static int batch(Npy.Array x) {
        return x.shape()[0];
    }

    static String shape(Npy.Array a) {
        return Arrays.toString(a.shape());
    }
}
