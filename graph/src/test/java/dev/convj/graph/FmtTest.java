package dev.convj.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.doubles;

import org.junit.jupiter.api.Test;

/** Number formatting in dumps and messages: stable, locale-independent, and (as documented) round-trip. */
class FmtTest {

    @Test
    void integersAndShortFractions() {
        assertEquals("2", Fmt.num(2));
        assertEquals("-3", Fmt.num(-3));
        assertEquals("0", Fmt.num(0));
        assertEquals("0.1", Fmt.num(0.1));
        assertEquals("0.5", Fmt.num(0.5));
        assertEquals("-0.25", Fmt.num(-0.25));
        assertEquals(1e-4, Double.parseDouble(Fmt.num(1e-4)), 0.0);
        assertEquals(1e-7, Double.parseDouble(Fmt.num(1e-7)), 0.0);
        assertEquals("61,706", Fmt.grouped(61706));
    }

    /**
     * Values that must survive printing: the dump feeds the structural hash, so a lossy or mangled number makes
     * different graphs look alike. Today 300000.1 prints as "3" (the trailing-zero regex eats the integer part
     * when %.6g prints no decimal point), 1e20 as "1e+2" and 1e-10 as "1e-1" (it eats the exponent's last 0), and
     * 1/3 as "0.333333".
     */
    @Test
    void roundTrips() {
        for (double v : new double[] {300000.1, 250000.5, 1e-10, 1e20, 1e-20, 1.0 / 3, 0.1 + 0.2, 123456.7}) {
            assertEquals(v, Double.parseDouble(Fmt.num(v)), 0.0, "Fmt.num(" + v + ") = " + Fmt.num(v));
        }
        qt().withFixedSeed(5).withExamples(500).forAll(doubles().between(-1e30, 1e30)).checkAssert(v ->
                assertEquals(v, Double.parseDouble(Fmt.num(v)), 0.0, "Fmt.num(" + v + ") = " + Fmt.num(v)));
    }

    /** Hyper-parameters in logs read as PyTorch's reprs print them, and still round-trip. */
    @Test
    void pythonFormsMatchPythonsRepr() {
        assertEquals("0.001", Fmt.python(1e-3));
        assertEquals("0.9", Fmt.python(0.9));
        assertEquals("1e-08", Fmt.python(1e-8));
        assertEquals("1.5e-05", Fmt.python(1.5e-5));
        assertEquals("0.0001", Fmt.python(1e-4));
        assertEquals("-2.5e-07", Fmt.python(-2.5e-7));
        assertEquals("3", Fmt.python(3));
        assertEquals("1e+16", Fmt.python(1e16));
        qt().withFixedSeed(6).withExamples(300).forAll(doubles().between(-1, 1)).checkAssert(v ->
                assertEquals(v, Double.parseDouble(Fmt.python(v)), 0.0, "Fmt.python(" + v + ") = " + Fmt.python(v)));
    }
}
