package dev.convj.examples.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convj.dsl.Network;
import dev.convj.examples.Models;
import dev.convj.graph.ModelGraph;
import dev.convj.runtime.Tensor;
import dev.convj.runtime.data.Npy;
import dev.convj.runtime.interp.ReferenceInterpreter;
import dev.convj.runtime.train.ExecutableFactory;
import dev.convj.runtime.train.Trainer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** convj infer: a batch of any size from .npy to .npy, equal to the reference interpreter on the same weights. */
class InferCommandTest {

    private static int run(StringWriter out, StringWriter err, String... args) {
        return ConvjCommand.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
    }

    @Test
    void lenet5OutputsMatchTheInterpreterWhateverTheStepBatch(@TempDir Path dir) throws Exception {
        int n = 5;
        Random random = new Random(3);
        float[] images = new float[n * 784];
        for (int i = 0; i < images.length; i++) {
            images[i] = random.nextFloat();
        }
        Path x = dir.resolve("x.npy");
        Npy.write(x, Npy.Array.of(images, n, 1, 28, 28));
        for (String batch : new String[] {"2", "256"}) {
            Path y = dir.resolve("y" + batch + ".npy");
            StringWriter out = new StringWriter(), err = new StringWriter();
            assertEquals(0, run(out, err, "infer", "--model", "lenet5", "--input", x.toString(), "--out", y.toString(),
                    "--batch", batch, "--threads", "1"), err.toString());
            assertTrue(out.toString().startsWith("lenet5: 5 image(s) in "), out.toString());
            Npy.Array outputs = Npy.read(y);
            assertArrayEquals(new int[] {n, 10}, outputs.shape());
            // the same seeded weights, through the float64 interpreter
            Network lenet5 = Models.lenet5();
            Map<String, float[]> weights = Trainer.builder(lenet5::graph).inference(lenet5::inferenceGraph)
                    .factory(ExecutableFactory.interpreter()).seed(1).build().weights();
            ModelGraph mg = lenet5.inferenceGraph(n);
            Map<String, Tensor> feeds = new HashMap<>();
            weights.forEach((name, w) -> feeds.put(name, Tensor.generate(mg.graph().node(name).shape(), i -> w[i])));
            feeds.put(mg.input(), Tensor.generate(mg.graph().node(mg.input()).shape(), i -> images[i]));
            Tensor expected = ReferenceInterpreter.float64().run(mg.graph(), feeds, mg.output());
            for (int i = 0; i < n * 10; i++) {
                assertEquals(expected.get(i), outputs.floats()[i], 1e-5 * (1 + Math.abs(expected.get(i))), "output " + i);
            }
        }
    }

    @Test
    void anInputOfTheWrongShapeOrTypeIsRefusedNamingBoth(@TempDir Path dir) throws Exception {
        Path x = dir.resolve("x.npy");
        Npy.write(x, Npy.Array.of(new float[2 * 3 * 28 * 28], 2, 3, 28, 28));
        StringWriter out = new StringWriter(), err = new StringWriter();
        assertEquals(2, run(out, err, "infer", "--model", "lenet5", "--input", x.toString(), "--out",
                dir.resolve("y.npy").toString()));
        assertEquals("convj: " + x + " has shape [2, 3, 28, 28]; lenet5 takes images of [1, 28, 28], so [N, 1, 28, 28]"
                + " or one image [1, 28, 28]", err.toString().strip());
        Path labels = dir.resolve("l.npy");
        Npy.write(labels, Npy.Array.of(new long[] {1, 2}, 2));
        StringWriter err2 = new StringWriter();
        assertEquals(2, run(new StringWriter(), err2, "infer", "--model", "lenet5", "--input", labels.toString(),
                "--out", dir.resolve("y.npy").toString()));
        assertEquals("convj: " + labels + " holds int64 values; the model takes float32 images (save "
                + "a.astype(np.float32))", err2.toString().strip());
    }
}
