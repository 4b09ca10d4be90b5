package dev.convj.graph.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Resolution of the lecture's valid, same and full padding, and of explicit amounts, to per-side amounts. */
class PaddingTest {

    private static Padding.Amounts resolve(Padding p, List<Integer> n, List<Integer> k, List<Integer> s,
                                           List<Integer> d) {
        return p.resolve(n, k, s, d);
    }

    @Test
    void validIsZeroOnEverySide() {
        Padding.Amounts a = resolve(Padding.valid(), List.of(5, 6), List.of(3, 4), List.of(1, 1), List.of(1, 1));
        assertEquals(List.of(0, 0), a.low());
        assertEquals(List.of(0, 0), a.high());
    }

    @Test
    void sameSplitsTheOddElementAfter() {
        // stride 1: total d(f-1) = 2 and 3 → (1,1) and (1,2), as PyTorch's padding='same'
        Padding.Amounts a = resolve(Padding.same(), List.of(5, 6), List.of(3, 4), List.of(1, 1), List.of(1, 1));
        assertEquals(List.of(1, 1), a.low());
        assertEquals(List.of(1, 2), a.high());
        // dilation 2, kernel 3: total 4 → (2,2)
        a = resolve(Padding.same(), List.of(5), List.of(3), List.of(1), List.of(2));
        assertEquals(List.of(2), a.low());
        assertEquals(List.of(2), a.high());
        // stride 2 (TensorFlow SAME): n=5 → out 3, total (3-1)·2+3-5 = 2; n=6,k=4 → out 3, total 4+4-6 = 2
        a = resolve(Padding.same(), List.of(5, 6), List.of(3, 4), List.of(2, 2), List.of(1, 1));
        assertEquals(List.of(1, 1), a.low());
        assertEquals(List.of(1, 1), a.high());
        // n=6, k=1, s=2: out 3, total max((3-1)·2+1-6, 0) = 0
        a = resolve(Padding.same(), List.of(6), List.of(1), List.of(2), List.of(1));
        assertEquals(List.of(0), a.low());
        assertEquals(List.of(0), a.high());
        // n=7, k=4, s=3: out 3, total 6+4-7 = 3 → (1,2)
        a = resolve(Padding.same(), List.of(7), List.of(4), List.of(3), List.of(1));
        assertEquals(List.of(1), a.low());
        assertEquals(List.of(2), a.high());
    }

    @Test
    void fullIsDilatedKernelMinusOneOnEachSide() {
        Padding.Amounts a = resolve(Padding.full(), List.of(5, 6), List.of(3, 4), List.of(1, 1), List.of(2, 1));
        assertEquals(List.of(4, 3), a.low());
        assertEquals(List.of(4, 3), a.high());
        // full padding with stride 1 gives n + d(f-1) outputs
        ConvGeometry g = new ConvGeometry(List.of(1, 1), a.low(), a.high(), List.of(2, 1), 1);
        assertEquals(List.of(9, 9), g.outputSpatial(List.of(5, 6), List.of(3, 4)));
    }

    @Test
    void explicitAmounts() {
        Padding.Amounts a = resolve(Padding.of(2), List.of(5, 6, 7), List.of(3, 3, 3), List.of(1, 1, 1),
                List.of(1, 1, 1));
        assertEquals(List.of(2, 2, 2), a.low());
        assertEquals(List.of(2, 2, 2), a.high());
        a = resolve(new Padding.Explicit(List.of(0, 1), List.of(2, 3)), List.of(5, 6), List.of(3, 3), List.of(1, 1),
                List.of(1, 1));
        assertEquals(List.of(0, 1), a.low());
        assertEquals(List.of(2, 3), a.high());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> resolve(new Padding.Explicit(List.of(0, 1), List.of(2, 3)), List.of(5, 6, 7),
                        List.of(3, 3, 3), List.of(1, 1, 1), List.of(1, 1, 1)));
        assertEquals("padding [0, 1]/[2, 3] names 2 axes but the input has 3 spatial axes", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Padding.Explicit(List.of(1), List.of(1, 2)));
        assertTrue(e.getMessage().contains("as many amounts before as after"), e.getMessage());
    }

    /** Same padding yields ceil(n/s) outputs for every size, kernel, stride and dilation. */
    @Test
    void sameGivesCeilOfSizeOverStride() {
        qt().withFixedSeed(11).withExamples(300).forAll(integers().between(1, 15), integers().between(1, 5),
                integers().between(1, 4), integers().between(1, 3)).checkAssert((n, k, s, d) -> {
                    Padding.Amounts a = Padding.same().resolve(List.of(n), List.of(k), List.of(s), List.of(d));
                    int total = a.low().get(0) + a.high().get(0);
                    assertTrue(a.high().get(0) - a.low().get(0) == total % 2, "odd element after: " + a);
                    ConvGeometry g = new ConvGeometry(List.of(s), a.low(), a.high(), List.of(d), 1);
                    assertEquals((n + s - 1) / s, g.outputSpatial(List.of(n), List.of(k)).get(0),
                            "n=" + n + " k=" + k + " s=" + s + " d=" + d + " pads " + a);
                });
    }
}
