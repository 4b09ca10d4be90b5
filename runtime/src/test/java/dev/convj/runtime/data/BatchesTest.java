package dev.convj.runtime.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class BatchesTest {

    @Test
    void lastPartialBatchIsKept() {
        Batches b = Batches.inOrder(10, 4);
        assertEquals(3, b.count());
        assertEquals(4, b.sizeOf(0));
        assertEquals(2, b.sizeOf(2));
        assertEquals(9, b.index(2, 1));
    }

    @Test
    void shuffleIsSeededPermutation() {
        qt().forAll(integers().between(1, 300), integers().between(1, 64), longs().all()).checkAssert((n, batch, seed) -> {
            Batches a = Batches.shuffled(n, batch, seed), again = Batches.shuffled(n, batch, seed);
            assertArrayEquals(a.order(), again.order());
            int[] sorted = a.order();
            Arrays.sort(sorted);
            for (int i = 0; i < n; i++) {
                assertEquals(i, sorted[i]);
            }
            int total = 0;
            for (int k = 0; k < a.count(); k++) {
                total += a.sizeOf(k);
            }
            assertEquals(n, total);
        });
        assertFalse(Arrays.equals(Batches.shuffled(100, 10, 1).order(), Batches.shuffled(100, 10, 2).order()));
    }

    @Test
    void balancedSubsetAndPermutation() {
        float[] x = new float[12 * 2];
        int[] y = new int[12];
        for (int i = 0; i < 12; i++) {
            y[i] = i % 3;
            x[2 * i] = i;
            x[2 * i + 1] = -i;
        }
        Dataset d = new Dataset("d", x, y, 1, 1, 2, 3);
        Dataset s = d.balancedSubset(2, 5);
        assertArrayEquals(new int[] {2, 2, 2}, s.classCounts());
        assertArrayEquals(s.image(0), d.balancedSubset(2, 5).image(0));
        Dataset p = d.permutePixels(new int[] {1, 0});
        assertArrayEquals(new float[] {-3, 3}, p.image(3));
    }
}
