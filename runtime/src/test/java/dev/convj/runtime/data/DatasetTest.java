package dev.convj.runtime.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DatasetTest {

    /** {@code perClass[c]} one-pixel images of class c, each pixel its own index so images can be told apart. */
    static Dataset sample(int... perClass) {
        int n = java.util.Arrays.stream(perClass).sum(), k = 0;
        float[] x = new float[n];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            x[i] = i;
        }
        for (int c = 0; c < perClass.length; c++) {
            for (int j = 0; j < perClass[c]; j++) {
                y[k++] = c;
            }
        }
        return new Dataset("sample", x, y, 1, 1, 1, perClass.length);
    }

    @Test
    void holdOutIsClassBalancedSeededAndDisjoint() {
        Dataset d = sample(100, 100, 100, 100);
        Dataset.Holdout h = d.holdOut(40, 5);
        assertEquals(360, h.train().size());
        assertEquals(40, h.validation().size());
        assertArrayEquals(new int[] {10, 10, 10, 10}, h.validation().classCounts());
        Set<Float> seen = new HashSet<>();
        for (Dataset part : new Dataset[] {h.train(), h.validation()}) {
            for (int i = 0; i < part.size(); i++) {
                seen.add(part.image(i)[0]);
            }
        }
        assertEquals(400, seen.size(), "every image is in exactly one part");
        assertArrayEquals(h.validation().image(3), d.holdOut(40, 5).validation().image(3), "the seed decides");
        assertNotEquals(java.util.Arrays.toString(images(h.validation())),
                java.util.Arrays.toString(images(d.holdOut(40, 6).validation())));
        assertEquals("sample (validation part)", h.validation().name());
    }

    @Test
    void holdOutFollowsUnevenClassesByLargestRemainder() {
        // 7 of 20 from 10/6/4 images: 3.5, 2.1, 1.4 → 3, 2, 1, and the odd one to the largest remainder (class 0).
        assertArrayEquals(new int[] {4, 2, 1}, sample(10, 6, 4).holdOut(7, 1).validation().classCounts());
        assertEquals("sample: cannot hold out 20 of 20 images; keep at least one for training",
                assertThrows(IllegalArgumentException.class, () -> sample(10, 6, 4).holdOut(20, 1)).getMessage());
    }

    private static float[] images(Dataset d) {
        float[] v = new float[d.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = d.image(i)[0];
        }
        return v;
    }
}
