package dev.convj.runtime.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** An optimizer's state copied out and back in (checkpoints, workers) continues exactly where it was. */
class OptimizerStateTest {

    private static float[] random(int n, Random r) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) r.nextGaussian();
        }
        return a;
    }

    @Test
    void aRestoredOptimizerTakesTheSameStepsBitForBit() {
        for (Supplier<Optimizer> make : List.<Supplier<Optimizer>>of(() -> Sgd.momentum(0.1, 0.9),
                () -> Sgd.nesterov(0.1, 0.9).withWeightDecay(0.01), () -> Sgd.of(0.1), () -> Adam.adam(0.01),
                () -> Adam.adamW(0.01))) {
            Random r = new Random(3);
            List<float[]> p = List.of(random(7, r), random(3, r));
            List<List<float[]>> grads = List.of(List.of(random(7, r), random(3, r)), List.of(random(7, r),
                    random(3, r)), List.of(random(7, r), random(3, r)));
            Optimizer whole = make.get();
            List<float[]> pw = List.of(p.get(0).clone(), p.get(1).clone());
            for (List<float[]> g : grads) {
                whole.step(pw, g);
            }
            Optimizer first = make.get();
            List<float[]> pf = List.of(p.get(0).clone(), p.get(1).clone());
            first.step(pf, grads.get(0));
            Optimizer.State state = first.state();
            first.step(pf, grads.get(1)); // the copy is not a view: later steps leave it as it was
            Optimizer second = make.get();
            second.restore(state);
            assertEquals(1, second.steps());
            // steps 2 and 3 from the restored state, on the weights after step 1
            Optimizer replay = make.get();
            List<float[]> pr = List.of(p.get(0).clone(), p.get(1).clone());
            replay.step(pr, grads.get(0));
            second.step(pr, grads.get(1));
            second.step(pr, grads.get(2));
            assertEquals(3, second.steps());
            assertArrayEquals(pw.get(0), pr.get(0), whole.toString());
            assertArrayEquals(pw.get(1), pr.get(1), whole.toString());
        }
    }

    @Test
    void anOptimizerSurvivesJavaSerializationWithItsState() throws Exception {
        Random r = new Random(5);
        List<float[]> p = List.of(random(5, r));
        Adam adam = Adam.adam(0.01);
        adam.step(p, List.of(random(5, r)));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(adam);
        }
        Optimizer copy;
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            copy = (Optimizer) in.readObject();
        }
        float[] g = random(5, r);
        List<float[]> p2 = List.of(p.get(0).clone());
        adam.step(p, List.of(g));
        copy.step(p2, List.of(g));
        assertArrayEquals(p.get(0), p2.get(0));
        assertEquals(2, copy.steps());
    }

    @Test
    void aStateOfAnotherKindIsRefused() {
        Adam adam = Adam.adam(0.01);
        adam.step(List.of(new float[2]), List.of(new float[] {1, 2}));
        Sgd sgd = Sgd.momentum(0.1, 0.9);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> sgd.restore(adam.state()));
        assertEquals("SGD keeps one state table (momentum buffers), got 2", e.getMessage());
        assertEquals(0, Sgd.of(0.1).state().tables().length);
    }
}
