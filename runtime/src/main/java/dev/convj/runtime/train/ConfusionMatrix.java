package dev.convj.runtime.train;

import java.util.List;
import java.util.Locale;

/** Counts of (true class, predicted class) pairs, with the accuracy figures derived from them. */
public final class ConfusionMatrix {
    private final long[][] counts;

    public ConfusionMatrix(int classes) {
        counts = new long[classes][classes];
    }

    public void add(int actual, int predicted) {
        counts[actual][predicted]++;
    }

    public int classes() {
        return counts.length;
    }

    /** Images of class {@code actual} predicted as {@code predicted}. */
    public long count(int actual, int predicted) {
        return counts[actual][predicted];
    }

    public long total() {
        long t = 0;
        for (long[] row : counts) {
            for (long c : row) {
                t += c;
            }
        }
        return t;
    }

    public long correct() {
        long c = 0;
        for (int i = 0; i < counts.length; i++) {
            c += counts[i][i];
        }
        return c;
    }

    /** Correct predictions over all predictions (0 when empty). */
    public double accuracy() {
        long t = total();
        return t == 0 ? 0 : (double) correct() / t;
    }

    /** Recall of each class: correct predictions of class c over the images of class c (NaN when none). */
    public double[] perClassAccuracy() {
        double[] acc = new double[counts.length];
        for (int c = 0; c < counts.length; c++) {
            long row = 0;
            for (long v : counts[c]) {
                row += v;
            }
            acc[c] = row == 0 ? Double.NaN : (double) counts[c][c] / row;
        }
        return acc;
    }

    /** The matrix as a table, rows the true class, columns the predicted one, with per-class accuracy. */
    public String format(List<String> classNames) {
        int k = counts.length;
        int nameWidth = "true \\ predicted".length() + 1;
        for (int c = 0; c < k; c++) {
            nameWidth = Math.max(nameWidth, (c + " " + name(classNames, c)).length() + 1);
        }
        long max = 0;
        for (long[] row : counts) {
            for (long v : row) {
                max = Math.max(max, v);
            }
        }
        int w = Math.max(4, Long.toString(max).length() + 1);
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "%-" + nameWidth + "s", "true \\ predicted"));
        for (int c = 0; c < k; c++) {
            b.append(String.format(Locale.ROOT, "%" + w + "d", c));
        }
        b.append("   accuracy\n");
        double[] acc = perClassAccuracy();
        for (int r = 0; r < k; r++) {
            b.append(String.format(Locale.ROOT, "%-" + nameWidth + "s", r + " " + name(classNames, r)));
            for (int c = 0; c < k; c++) {
                b.append(String.format(Locale.ROOT, "%" + w + "d", counts[r][c]));
            }
            b.append(String.format(Locale.ROOT, "   %6.2f%%%n", 100 * acc[r]));
        }
        b.append(String.format(Locale.ROOT, "overall accuracy %.2f%% (%d of %d)%n", 100 * accuracy(), correct(), total()));
        return b.toString();
    }

    private static String name(List<String> names, int c) {
        return names != null && c < names.size() ? names.get(c) : "class " + c;
    }

    @Override
    public String toString() {
        return format(null);
    }
}
