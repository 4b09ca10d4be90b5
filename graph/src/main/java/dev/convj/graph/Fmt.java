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

    /**
     * A hyper-parameter as Python and PyTorch's reprs print it, for logs: 0.01, 0.9, 1e-08, 1.5e-05 (an integral
     * value as an integer, 2). Rounds nothing: the digits are the shortest that read back as the same double.
     */
    public static String python(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e16) {
            return String.valueOf((long) v);
        }
        java.math.BigDecimal d = new java.math.BigDecimal(Double.toString(v)).stripTrailingZeros();
        if (Math.abs(v) >= 1e-4 && Math.abs(v) < 1e16) {
            return d.toPlainString();
        }
        String digits = d.unscaledValue().abs().toString();
        int exponent = digits.length() - 1 - d.scale();
        String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
        return (v < 0 ? "-" : "") + mantissa + "e" + (exponent < 0 ? "-" : "+")
                + String.format(Locale.ROOT, "%02d", Math.abs(exponent));
    }

    /** A thousands-grouped integer, e.g. 61,706. */
    public static String grouped(long v) {
        return String.format(Locale.ROOT, "%,d", v);
    }
}
