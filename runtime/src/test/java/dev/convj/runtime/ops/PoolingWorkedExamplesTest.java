package dev.convj.runtime.ops;

import static dev.convj.runtime.ops.OpHarness.run;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.convj.graph.Shape;
import dev.convj.graph.ops.AvgPool;
import dev.convj.graph.ops.MaxPool;
import dev.convj.graph.ops.PoolGeometry;
import dev.convj.runtime.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Ceil mode and count_include_pad on small inputs, every number worked out by hand (and equal to PyTorch's). */
class PoolingWorkedExamplesTest {

    /** 1, 2, …, n·n in a 1×1×n×n tensor. */
    private static Tensor counting(int n) {
        return Tensor.generate(Shape.of(1, 1, n, n), i -> i + 1);
    }

    private static PoolGeometry square(int k, int s, int p, boolean ceil) {
        return new PoolGeometry(List.of(k, k), List.of(s, s), List.of(p, p), ceil);
    }

    private static void assertValues(double[] expected, Tensor actual) {
        assertEquals(expected.length, actual.size(), actual.toString());
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual.get(i), 1e-12, "element " + i + " of " + actual);
        }
    }

    @Test
    void ceilModeKeepsThePartialLastWindow() {
        // 5×5 input 1…25, window 2, stride 2. Floor mode: windows start at 0, 2 → 2×2. Ceil mode adds the window
        // starting at 4, which holds only row (or column) 4.
        //   1  2 |  3  4 |  5
        //   6  7 |  8  9 | 10
        //  11 12 | 13 14 | 15
        //  16 17 | 18 19 | 20
        //  21 22 | 23 24 | 25
        Tensor x = counting(5);
        assertValues(new double[] {7, 9, 17, 19}, run(new MaxPool(square(2, 2, 0, false)), x));
        Tensor max = run(new MaxPool(square(2, 2, 0, true)), x);
        assertEquals(Shape.of(1, 1, 3, 3), max.shape());
        assertValues(new double[] {7, 9, 10, 17, 19, 20, 22, 24, 25}, max);
        // Average: the partial windows divide by what they cover: (5+10)/2, (21+22)/2, 25/1.
        assertValues(new double[] {4, 6, 7.5, 14, 16, 17.5, 21.5, 23.5, 25},
                run(new AvgPool(square(2, 2, 0, true), true), x));
    }

    @Test
    void countIncludePadDividesByTheWholeWindow() {
        // 3×3 input 1…9, window 2, stride 2, padding 1: windows cover rows/columns [-1, 1) and [1, 3).
        // Top-left holds only 1; top-right 2+3; bottom-left 4+7; bottom-right 5+6+8+9 = 28.
        Tensor x = counting(3);
        assertValues(new double[] {1 / 4.0, 5 / 4.0, 11 / 4.0, 28 / 4.0},
                run(new AvgPool(square(2, 2, 1, false), true), x));
        assertValues(new double[] {1, 5 / 2.0, 11 / 2.0, 28 / 4.0}, run(new AvgPool(square(2, 2, 1, false), false), x));
        // Max pooling never picks the padding.
        assertValues(new double[] {1, 3, 7, 9}, run(new MaxPool(square(2, 2, 1, false)), x));
    }

    @Test
    void ceilModeWithPaddingDropsAWindowThatWouldStartInTheRightPadding() {
        // 1-D: [1, 2, 3, 4, 5], window 2, stride 2, padding 1. Ceil mode would give ceil((5+2−2)/2)+1 = 4 windows,
        // but the 4th would start at 6−1 = 5, in the right padding, so PyTorch drops it: windows [-1,1), [1,3), [3,5).
        Tensor x = Tensor.of(Shape.of(1, 1, 5), 1, 2, 3, 4, 5);
        PoolGeometry g = new PoolGeometry(List.of(2), List.of(2), List.of(1), true);
        assertEquals(List.of(3), g.outputSpatial(List.of(5)));
        assertValues(new double[] {1, 3, 5}, run(new MaxPool(g), x));
        // [1, 2, 3, 4] instead: windows [-1,1), [1,3), [3,5) where the last covers 4 and one padded zero.
        Tensor four = Tensor.of(Shape.of(1, 1, 4), 1, 2, 3, 4);
        assertValues(new double[] {1 / 2.0, 5 / 2.0, 4 / 2.0}, run(new AvgPool(g, true), four));
        assertValues(new double[] {1, 5 / 2.0, 4}, run(new AvgPool(g, false), four));
    }

    @Test
    void ceilModeDropsTheWindowStartingInThePaddingOfA3x3Input() {
        // 3×3, window 2, stride 2, padding 1, ceil: ceil((3+2−2)/2)+1 = 3 windows per axis, but the third would
        // start at 2·2 − 1 = 3, the padded position after the input, so it is dropped: 2×2, as in floor mode.
        PoolGeometry g = square(2, 2, 1, true);
        assertEquals(List.of(2, 2), g.outputSpatial(List.of(3, 3)));
        assertValues(new double[] {1 / 4.0, 5 / 4.0, 11 / 4.0, 28 / 4.0}, run(new AvgPool(g, true), counting(3)));
        // With 4×4 the third window starts at 3 < 4 and stays, clipped: rows 3..4 hold input row 3 and one pad.
        assertEquals(List.of(3, 3), g.outputSpatial(List.of(4, 4)));
        // Corner window [3,5)×[3,5) of 1…16: only 16 is real; the divisor counts the window up to the padded edge
        // (min(3+2, 4+1) − 3 = 2 per axis, so 4) with count_include_pad, else the 1 real value.
        Tensor include = run(new AvgPool(g, true), counting(4));
        Tensor exclude = run(new AvgPool(g, false), counting(4));
        assertEquals(16 / 4.0, include.at(0, 0, 2, 2), 1e-12);
        assertEquals(16.0, exclude.at(0, 0, 2, 2), 1e-12);
    }
}
