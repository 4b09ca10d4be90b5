package dev.convj.onnx.imports;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convj.dsl.Network;
import dev.convj.graph.ModelGraph;
import dev.convj.graph.Shape;
import dev.convj.runtime.Tensor;
import dev.convj.runtime.check.GradientCheck;
import dev.convj.runtime.check.GradientCheckReport;
import dev.convj.runtime.data.Dataset;
import dev.convj.runtime.data.Npy;
import dev.convj.runtime.train.ExecutableFactory;
import dev.convj.runtime.train.Sgd;
import dev.convj.runtime.train.Trainer;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** An imported model is an ordinary network: its gradients check against finite differences and it fine-tunes. */
class ImportedTrainingTest {

    /** Gradients of every parameter (affine, pad, dense, grouped and dilated convolutions) in float64. */
    @ParameterizedTest
    @ValueSource(strings = {"arithmetic.opset17", "conv_variants.opset13", "branches.opset17"})
    void gradientsOfAnImportedModelMatchFiniteDifferences(String file) throws IOException {
        ImportedModel m = OnnxImporter.read(Fixtures.onnx(file));
        Network withLoss = m.network().softmaxCrossEntropy();
        ModelGraph g = withLoss.graph(2);
        Map<String, Tensor> feeds = new HashMap<>();
        m.weights().forEach((k, v) -> feeds.put(k, tensor(g.graph().node(k).shape(), v)));
        Npy.Array x = Fixtures.input(file);
        float[] two = java.util.Arrays.copyOf(x.floats(), x.floats().length / x.shape()[0] * 2);
        feeds.put(g.input(), tensor(g.graph().node(g.input()).shape(), two));
        feeds.put(g.targetName(), Tensor.of(g.graph().node(g.targetName()).shape(), 1, 3));
        GradientCheckReport report = GradientCheck.check(g.graph(), g.lossName(), feeds,
                GradientCheck.Options.defaults().withSamples(12));
        assertTrue(report.passed(), report::toString);
        assertTrue(report.entries().size() >= m.weights().size(), report::toString);
    }

    /**
     * Fine-tuning the batch-normalized VGG (BatchNormalization nodes kept) on a task it can learn (bright images are
     * class 1, dark ones class 0) lowers its loss, measured through the inference graph.
     */
    @Test
    void anImportedModelFineTunes() throws IOException {
        ImportedModel m = OnnxImporter.read(Fixtures.onnx("vgg_bn_nofold.opset17"));
        Network net = m.network().softmaxCrossEntropy();
        Random random = new Random(5);
        int n = 32;
        float[] images = new float[n * 256];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i % 2;
            for (int p = 0; p < 256; p++) {
                images[i * 256 + p] = random.nextFloat() * 0.5f + labels[i] * 0.5f;
            }
        }
        Dataset data = new Dataset("random", images, labels, 1, 16, 16, 10);
        Trainer trainer = Trainer.builder(net::graph).inference(net::inferenceGraph)
                .factory(ExecutableFactory.compiled(1)).weights(m.weights()).optimizer(Sgd.momentum(0.01, 0.9))
                .batchSize(8).seed(1).build();
        double before = trainer.evaluate(data).loss();
        trainer.fit(data, null, 20);
        double after = trainer.evaluate(data).loss();
        assertTrue(Double.isFinite(after) && after < before / 2, "loss " + before + " → " + after);
    }

    private static Tensor tensor(Shape shape, float[] v) {
        double[] d = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            d[i] = v[i];
        }
        return Tensor.wrap(shape, d);
    }
}
