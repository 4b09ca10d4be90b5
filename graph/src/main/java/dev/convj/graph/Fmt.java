package dev.convj.graph;

import java.util.Locale;

/** Number formatting for dumps and messages, independent of the default locale so dumps stay stable. */
public final class Fmt {
    private Fmt() {}

    /**
     * The shortest form that reads back as the same double: 2 prints as 2, 0.1 as 0.1, 1e-10 as 1e-10. Dumps
     * feed the structural hash, so no digit may be lost here.
     */
    public static String num(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return String.valueOf((long) v);
        }
        String s = Double.toString(v);
        int e = s.indexOf('E');
        if (e < 0) {
            return s;
        }
        String mantissa = s.substring(0, e);
        return (mantissa.endsWith(".0") ? mantissa.substring(0, mantissa.length() - 2) : mantissa) + "e"
                + s.substring(e + 1);
    }

    /** A thousands-grouped integer, e.g. 61,706. */
    public static String grouped(long v) {
        return String.format(Locale.ROOT, "%,d", v);
    }
}
