package dev.convj.graph.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The convolution output-size rule floor((n + p_low + p_high − d(f−1) − 1)/s) + 1 on hand-computed cases. */
class ConvGeometryTest {

    /** One spatial axis with the given stride, padding before/after and dilation. */
    static ConvGeometry axis(int stride, int padLow, int padHigh, int dilation) {
        return new ConvGeometry(List.of(stride), List.of(padLow), List.of(padHigh), List.of(dilation), 1);
    }

    static int out(int n, int k, int stride, int padLow, int padHigh, int dilation) {
        return axis(stride, padLow, padHigh, dilation).outputSpatial(List.of(n), List.of(k)).get(0);
    }

    @Test
    void lectureAndTextbookCases() {
        assertEquals(28, out(32, 5, 1, 0, 0, 1), "LeNet conv1: 32-5+1");
        assertEquals(28, out(28, 5, 1, 2, 2, 1), "'same' 5x5 with p=2");
        assertEquals(55, out(227, 11, 4, 0, 0, 1), "AlexNet conv1: (227-11)/4+1");
        assertEquals(4, out(7, 3, 2, 1, 1, 1), "floor((7+2-3)/2)+1");
        assertEquals(3, out(6, 3, 2, 0, 1, 1), "asymmetric: floor((6+0+1-2-1)/2)+1");
        assertEquals(2, out(6, 3, 2, 0, 0, 1), "floor((6-3)/2)+1 drops the last row");
        assertEquals(3, out(7, 3, 1, 0, 0, 2), "dilation 2: effective kernel 5");
        assertEquals(1, out(5, 3, 2, 1, 2, 3), "floor((5+1+2-6-1)/2)+1");
        assertEquals(1, out(1, 1, 5, 0, 0, 1), "1x1 kernel, stride larger than the input");
        assertEquals(7, out(3, 3, 1, 4, 4, 2), "full padding d(f-1)=4 gives n+d(f-1) = 3+4");
    }

    @Test
    void eachAxisUsesItsOwnAttributes() {
        ConvGeometry g = new ConvGeometry(List.of(1, 2, 3), List.of(0, 1, 2), List.of(1, 0, 2), List.of(1, 2, 1), 1);
        // axis 0: (5+0+1-2-1)/1+1 = 4; axis 1: floor((8+1+0-4-1)/2)+1 = 3; axis 2: floor((9+4-2-1)/3)+1 = 4
        assertEquals(List.of(4, 3, 4), g.outputSpatial(List.of(5, 8, 9), List.of(3, 3, 3)));
    }

    @Test
    void kernelThatDoesNotFitNamesTheNumbers() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> axis(1, 0, 0, 2).outputSpatial(List.of(4), List.of(3)));
        String m = e.getMessage();
        assertTrue(m.contains("does not fit input 4"), m);
        assertTrue(m.contains("floor((4+0+0-2·2-1)/1)+1 = 0"), m);
    }

    @Test
    void attributesAndPadString() {
        ConvGeometry g = new ConvGeometry(List.of(1, 2), List.of(2, 0), List.of(2, 1), List.of(1, 3), 2);
        assertEquals("[(2,2),(0,1)]", g.padString());
        assertEquals("stride=[1,2] pad=[(2,2),(0,1)] dilation=[1,3] groups=2", g.attributes());
        assertEquals(ConvGeometry.unit(2),
                new ConvGeometry(List.of(1, 1), List.of(0, 0), List.of(0, 0), List.of(1, 1), 1));
    }

    /** The closed form agrees with counting window positions whose last tap stays inside the padded input. */
    @Test
    void closedFormAgreesWithCountingWindows() {
        qt().withFixedSeed(7).withExamples(300).forAll(
                integers().between(1, 12), integers().between(1, 4), integers().between(1, 4),
                integers().between(0, 5 * 5 * 4 - 1)).checkAssert((n, k, s, packed) -> {
                    int pl = packed % 5, ph = (packed / 5) % 5, d = 1 + packed / 25;
                    int count = 0;
                    for (int p = 0; p * s + d * (k - 1) <= n + pl + ph - 1; p++) {
                        count++;
                    }
                    if (count == 0) {
                        assertThrows(IllegalArgumentException.class, () -> out(n, k, s, pl, ph, d));
                    } else {
                        assertEquals(count, out(n, k, s, pl, ph, d), "n=" + n + " k=" + k + " s=" + s + " pad=("
                                + pl + "," + ph + ") d=" + d);
                    }
                });
    }
}
