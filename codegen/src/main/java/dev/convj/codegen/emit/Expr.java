package dev.convj.codegen.emit;

/**
 * Integer index expressions that leave out what does nothing (× 1, + 0), so generated loops read as a person
 * would write them: {@code o0 * 2 - 1 + k0} rather than {@code o0 * 2 - 1 + k0 * 1 + 0}.
 */
final class Expr {
    private Expr() {}

    static String mul(String e, int factor) {
        if (factor == 0 || e.equals("0")) {
            return "0";
        }
        return factor == 1 ? e : atom(e) + " * " + factor;
    }

    static String add(String a, String b) {
        if (a.equals("0")) {
            return b;
        }
        if (b.equals("0")) {
            return a;
        }
        return b.startsWith("-") ? a + " - " + b.substring(1) : a + " + " + b;
    }

    static String add(String a, int b) {
        return add(a, String.valueOf(b));
    }

    /** e · factor + term: one step of a row-major index. */
    static String mulAdd(String e, int factor, String term) {
        return add(mul(e, factor), term);
    }

    private static String atom(String e) {
        return e.matches("[A-Za-z0-9_.\\[\\]]+") ? e : "(" + e + ")";
    }
}
