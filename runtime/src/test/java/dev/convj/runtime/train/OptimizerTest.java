package dev.convj.runtime.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/**
 * The optimizers against PyTorch's documented algorithms (torch.optim.SGD / Adam / AdamW), written here in
 * double precision as the docs' pseudo-code reads, and against values worked by hand.
 */
class OptimizerTest {

    @Test
    void sgdMomentumWithWeightDecayByHand() {
        float[] p = {1.0f, -2.0f};
        float[] g = {0.5f, 0.25f};
        Sgd sgd = new Sgd(0.1, 0.9, 0, 0.01, false);
        sgd.step(List.of(p), List.of(g));
        // g' = g + 0.01·p = [0.51, 0.23]; b = g'; p = p − 0.1·b
        assertEquals(0.949, p[0], 1e-6);
        assertEquals(-2.023, p[1], 1e-6);
        sgd.step(List.of(p), List.of(g));
        // g' = [0.50949, 0.22977]; b = 0.9·[0.51, 0.23] + g' = [0.96849, 0.43677]
        assertEquals(0.949 - 0.096849, p[0], 1e-6);
        assertEquals(-2.023 - 0.043677, p[1], 1e-6);
    }

    @Test
    void adamFirstStepMovesByLrTimesSign() {
        float[] p = {1, 1, 1};
        Adam adam = Adam.adam(0.001);
        adam.step(List.of(p), List.of(new float[] {3, -0.2f, 1e-3f}));
        assertEquals(0.999, p[0], 1e-7);
        assertEquals(1.001, p[1], 1e-7);
        assertEquals(0.999, p[2], 1e-6);
    }

    @ParameterizedTest(name = "SGD lr={0} momentum={1} dampening={2} wd={3} nesterov={4}")
    @CsvSource({"0.1, 0, 0, 0, false", "0.05, 0.9, 0, 0, false", "0.05, 0.9, 0, 0.001, true", "0.02, 0.5, 0.3, 0.01, false"})
    void sgdMatchesPyTorchAlgorithm(double lr, double mu, double damp, double wd, boolean nesterov) {
        Sgd sgd = new Sgd(lr, mu, damp, wd, nesterov);
        double[] ref = init(), b = new double[ref.length];
        float[] p = toFloat(ref);
        Random r = new Random(3);
        for (int t = 1; t <= 6; t++) {
            double[] grad = gradient(r, ref.length);
            sgd.step(List.of(p), List.of(toFloat(grad)));
            for (int i = 0; i < ref.length; i++) {
                double g = (float) grad[i] + wd * ref[i];
                if (mu != 0) {
                    b[i] = t == 1 ? g : mu * b[i] + (1 - damp) * g;
                    g = nesterov ? g + mu * b[i] : b[i];
                }
                ref[i] -= lr * g;
            }
            assertClose(ref, p, t);
        }
    }

    @ParameterizedTest(name = "Adam{4} lr={0} betas=({1},{2}) wd={3}")
    @CsvSource({"0.001, 0.9, 0.999, 0, false", "0.01, 0.8, 0.99, 0.1, false", "0.001, 0.9, 0.999, 0.01, true",
            "0.003, 0.5, 0.9, 0.3, true"})
    void adamMatchesPyTorchAlgorithm(double lr, double b1, double b2, double wd, boolean decoupled) {
        Adam adam = new Adam(lr, b1, b2, 1e-8, wd, decoupled);
        double[] ref = init(), m = new double[ref.length], v = new double[ref.length];
        float[] p = toFloat(ref);
        Random r = new Random(5);
        for (int t = 1; t <= 6; t++) {
            double[] grad = gradient(r, ref.length);
            adam.step(List.of(p), List.of(toFloat(grad)));
            for (int i = 0; i < ref.length; i++) {
                double g = (float) grad[i];
                if (decoupled) {
                    ref[i] *= 1 - lr * wd;
                } else {
                    g += wd * ref[i];
                }
                m[i] = b1 * m[i] + (1 - b1) * g;
                v[i] = b2 * v[i] + (1 - b2) * g * g;
                double mHat = m[i] / (1 - Math.pow(b1, t)), vHat = v[i] / (1 - Math.pow(b2, t));
                ref[i] -= lr * mHat / (Math.sqrt(vHat) + 1e-8);
            }
            assertClose(ref, p, t);
        }
    }

    @Test
    void defaultsArePyTorchs() {
        assertEquals("Adam(lr=0.001, betas=(0.9, 0.999), eps=1e-08, weight_decay=0)", Adam.adam(1e-3).toString());
        assertEquals("AdamW(lr=0.001, betas=(0.9, 0.999), eps=1e-08, weight_decay=0.01)", Adam.adamW(1e-3).toString());
        assertEquals("SGD(lr=0.01, momentum=0.9)", Sgd.momentum(0.01, 0.9).toString());
        assertEquals("SGD(lr=0.01, momentum=0.9, nesterov, weight_decay=0.0005)",
                Sgd.nesterov(0.01, 0.9).withWeightDecay(5e-4).toString());
    }

    @Test
    void badHyperParametersAreRefused() {
        assertEquals("Nesterov momentum requires a momentum > 0 and zero dampening",
                assertThrows(IllegalArgumentException.class, () -> Sgd.nesterov(0.1, 0)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> Sgd.of(-1));
        assertThrows(IllegalArgumentException.class, () -> new Adam(1e-3, 1, 0.999, 1e-8, 0, false));
        Sgd sgd = Sgd.momentum(0.1, 0.9);
        sgd.step(List.of(new float[2]), List.of(new float[2]));
        assertThrows(IllegalArgumentException.class, () -> sgd.step(List.of(new float[2], new float[1]),
                List.of(new float[2], new float[1])));
    }

    @Test
    void schedules() {
        LrSchedule step = LrSchedule.step(2, 0.1);
        assertEquals(0.1, step.rate(0, 0.1), 1e-15);
        assertEquals(0.1, step.rate(1, 0.1), 1e-15);
        assertEquals(0.01, step.rate(2, 0.1), 1e-15);
        assertEquals(0.001, step.rate(5, 0.1), 1e-15);
        LrSchedule cos = LrSchedule.cosine(10, 0.001);
        assertEquals(0.1, cos.rate(0, 0.1), 1e-15);
        assertEquals(0.001 + 0.099 / 2, cos.rate(5, 0.1), 1e-12);
        assertEquals(0.001, cos.rate(10, 0.1), 1e-15);
    }

    private static double[] init() {
        Random r = new Random(11);
        double[] p = new double[37];
        for (int i = 0; i < p.length; i++) {
            p[i] = (float) r.nextGaussian();
        }
        return p;
    }

    private static double[] gradient(Random r, int n) {
        double[] g = new double[n];
        for (int i = 0; i < n; i++) {
            g[i] = (float) (r.nextGaussian() * 0.5);
        }
        return g;
    }

    private static float[] toFloat(double[] d) {
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            f[i] = (float) d[i];
        }
        return f;
    }

    private static void assertClose(double[] ref, float[] p, int t) {
        for (int i = 0; i < ref.length; i++) {
            assertEquals(ref[i], p[i], 2e-6 * Math.max(1, Math.abs(ref[i])), "step " + t + ", element " + i);
        }
    }
}
