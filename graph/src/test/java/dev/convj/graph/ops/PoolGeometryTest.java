package dev.convj.graph.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.booleans;
import static org.quicktheories.generators.SourceDSL.integers;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Pooling output sizes, floor and ceil mode, with PyTorch's rule that drops a window starting in the right padding. */
class PoolGeometryTest {

    static int out(int n, int k, int s, int p, boolean ceil) {
        return new PoolGeometry(List.of(k), List.of(s), List.of(p), ceil).outputSpatial(List.of(n)).get(0);
    }

    @Test
    void floorMode() {
        assertEquals(2, out(4, 2, 2, 0, false), "lecture 4x4, f=2, s=2");
        assertEquals(3, out(5, 3, 1, 0, false), "lecture 5x5, f=3, s=1");
        assertEquals(2, out(5, 2, 2, 0, false), "floor((5-2)/2)+1");
        assertEquals(3, out(5, 3, 2, 1, false), "floor((5+2-3)/2)+1");
    }

    @Test
    void ceilModeKeepsAPartialLastWindow() {
        assertEquals(3, out(5, 2, 2, 0, true), "ceil((5-2)/2)+1: the last window [4,6) starts inside the input");
        assertEquals(3, out(4, 3, 2, 1, true), "ceil((4+2-3)/2)+1: last window starts at 3 < 4");
        assertEquals(3, out(6, 3, 2, 0, true), "ceil(3/2)+1 = 3, last window [4,7)");
        assertEquals(2, out(6, 3, 2, 0, false));
    }

    @Test
    void ceilModeDropsAWindowStartingInTheRightPadding() {
        // n=3, k=2, s=2, p=1: ceil((3+2-2)/2)+1 = 3, but window 2 would start at 2·2-1 = 3 = n: dropped.
        assertEquals(2, out(3, 2, 2, 1, true));
        // n=5, k=2, s=3, p=1: ceil(5/3)+1 = 3, window 2 would start at 6-1 = 5 = n: dropped.
        assertEquals(2, out(5, 2, 3, 1, true));
        // n=5, k=3, s=3, p=1: ceil(4/3)+1 = 3, window 2 starts at 5 = n: dropped.
        assertEquals(2, out(5, 3, 3, 1, true));
    }

    @Test
    void ceilAndFloorAgreeWhenTheStrideDividesTheSpan() {
        assertEquals(out(7, 3, 2, 0, false), out(7, 3, 2, 0, true));
        assertEquals(3, out(7, 3, 2, 0, true), "(7-3)/2+1");
    }

    @Test
    void rejectsBadGeometry() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new PoolGeometry(List.of(2), List.of(2), List.of(2), false));
        assertTrue(e.getMessage().contains("pooling padding must be between 0 and half the window"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> new PoolGeometry(List.of(2, 2), List.of(0, 2), List.of(0, 0), false));
        assertEquals("pooling stride must be ≥ 1, got [0, 2]", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> new PoolGeometry(List.of(2, 2), List.of(2), List.of(0, 0), false));
        assertTrue(e.getMessage().contains("must name the same number of spatial axes"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> out(2, 3, 1, 0, false));
        assertTrue(e.getMessage().contains("pooling window 3 does not fit input 2"), e.getMessage());
    }

    @Test
    void attributes() {
        assertEquals("window=[2,3] stride=[2,1] pad=[1,0] ceil_mode",
                new PoolGeometry(List.of(2, 3), List.of(2, 1), List.of(1, 0), true).attributes());
        assertEquals("window=[2,2] stride=[2,2] pad=[0,0]",
                new PoolGeometry(List.of(2, 2), List.of(2, 2), List.of(0, 0), false).attributes());
    }

    /**
     * Against PyTorch's rule stated window by window: window o covers [o·s − p, o·s − p + k). In floor mode it must
     * end inside the padded input; in ceil mode it exists when the previous window did not reach the end of the
     * padded input and it starts before the right padding.
     */
    @Test
    void closedFormAgreesWithWindowByWindowRule() {
        qt().withFixedSeed(3).withExamples(400).forAll(integers().between(1, 12), integers().between(1, 5),
                integers().between(1, 4), integers().between(0, 2).zip(booleans().all(), (p, c) -> c ? -1 - p : p))
                .checkAssert((n, k, s, pc) -> {
                    boolean ceil = pc < 0;
                    int p = Math.min(ceil ? -1 - pc : pc, k / 2);
                    if (n + 2 * p < k) {
                        assertThrows(IllegalArgumentException.class, () -> out(n, k, s, p, ceil));
                        return;
                    }
                    int count = 0;
                    for (int o = 0; ; o++) {
                        int start = o * s - p;
                        boolean exists = ceil
                                ? (o == 0 || (o - 1) * s + k < n + 2 * p) && start < n
                                : start + k <= n + p;
                        if (!exists) {
                            break;
                        }
                        count++;
                    }
                    assertEquals(count, out(n, k, s, p, ceil), "n=" + n + " k=" + k + " s=" + s + " p=" + p
                            + " ceil=" + ceil);
                });
    }
}
