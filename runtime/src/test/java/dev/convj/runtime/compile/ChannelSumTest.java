package dev.convj.runtime.compile;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convj.codegen.Schedule;
import dev.convj.graph.DType;
import dev.convj.graph.Graph;
import dev.convj.graph.GraphBuilder;
import dev.convj.graph.Node;
import dev.convj.graph.Shape;
import dev.convj.graph.ops.Mean;
import dev.convj.graph.ops.Sum;
import dev.convj.runtime.Tensor;
import dev.convj.runtime.interp.ReferenceInterpreter;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A bias gradient's sum over images and positions (axes 0, 2, 3 of N, C, H, W), which large inputs split across the
 * team by images into per-thread partials: the float64 interpreter's value on one, two and three threads, and on
 * each the same bits run after run (the partials are added in thread order, as the weight gradients' are).
 */
class ChannelSumTest {

    @ParameterizedTest(name = "({0},{1},{2},{3}), mean: {4}")
    @CsvSource({"8, 12, 30, 30, false", "64, 5, 15, 15, false", "3, 7, 5, 5, false", "16, 32, 17, 13, false",
        "8, 12, 30, 30, true"})
    void perChannelSumsMatchTheInterpreterAndRepeatTheirBits(int batch, int channels, int h, int w,
                                                                 boolean mean) {
        GraphBuilder b = new GraphBuilder();
        Node x = b.input("x", Shape.of(batch, channels, h, w), DType.F32);
        List<Integer> axes = List.of(0, 2, 3);
        b.output(b.apply("bias_grad", mean ? new Mean(axes) : new Sum(axes), x));
        Graph g = b.build();
        Random r = new Random(batch * 31L + channels);
        float[] values = new float[batch * channels * h * w];
        for (int i = 0; i < values.length; i++) {
            values[i] = r.nextFloat() * 2 - 1;
        }
        values[values.length / 2] = 1e4f; // one large term: a different order of adds would show in the low bits
        Tensor input = Tensor.generate(Shape.of(batch, channels, h, w), i -> values[i]);
        Tensor reference = ReferenceInterpreter.float64().run(g, Map.of("x", input), List.of("bias_grad"))
                .get("bias_grad");
        for (int threads = 1; threads <= 3; threads++) {
            try (CompiledGraph c = new GraphCompiler(null).compile(g, Schedule.threads(threads))) {
                c.set("x", values);
                c.run();
                float[] got = c.get("bias_grad");
                for (int ch = 0; ch < channels; ch++) {
                    double want = reference.get(ch), magnitude = 0; // Σ|x| over the channel, scaled as the result
                    for (int n = 0; n < batch; n++) {
                        for (int p = 0; p < h * w; p++) {
                            magnitude += Math.abs(values[(n * channels + ch) * h * w + p]);
                        }
                    }
                    magnitude /= mean ? batch * h * w : 1;
                    assertTrue(Math.abs(got[ch] - want) <= 1e-6 * magnitude,
                            "channel " + ch + " on " + threads + " threads: " + got[ch] + " against " + want);
                }
                // a second run must neither add to the first's partials nor add them in another order
                float[] once = got.clone();
                c.run();
                assertArrayEquals(once, c.get("bias_grad"), threads + " threads, run again");
            }
        }
    }
}
