package dev.convj.runtime.train;

import java.math.BigDecimal;

/** Short number formatting for logs: 0.01, 0.9, 1e-08 as written by hand. */
final class Fmt {
    private Fmt() {}

    static String num(double x) {
        if (x == Math.rint(x) && Math.abs(x) < 1e9) {
            return Long.toString((long) x);
        }
        if (Math.abs(x) < 1e-4) {
            return String.format(java.util.Locale.ROOT, "%.0e", x);
        }
        return new BigDecimal(Double.toString(x)).stripTrailingZeros().toPlainString();
    }
}
