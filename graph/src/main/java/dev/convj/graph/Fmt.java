package dev.convj.graph;

import java.util.Locale;

/** Number formatting for dumps and messages, independent of the default locale so dumps stay stable. */
public final class Fmt {
    private Fmt() {}

    /** Shortest round-trip form: 2 prints as 2, 0.1 as 0.1. */
    public static String num(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return String.valueOf((long) v);
        }
        return String.format(Locale.ROOT, "%.6g", v).replaceAll("0+(e|$)", "$1").replaceAll("\\.(e|$)", "$1");
    }

    /** A thousands-grouped integer, e.g. 61,706. */
    public static String grouped(long v) {
        return String.format(Locale.ROOT, "%,d", v);
    }
}
