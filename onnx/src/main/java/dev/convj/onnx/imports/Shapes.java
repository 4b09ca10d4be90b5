package dev.convj.onnx.imports;

import dev.convj.onnx.OnnxFormatException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/** Shape helpers of the import: ONNX's Reshape rule, per-axis lists, shapes in messages. */
final class Shapes {
    private Shapes() {}

    /** ONNX's Reshape rule: 0 copies the input's extent (unless allowzero), −1 takes what is left. */
    static int[] resolveReshape(long[] target, int[] input, boolean allowZero, String where) {
        long size = 1;
        for (int d : input) {
            size *= d;
        }
        int[] out = new int[target.length];
        int infer = -1;
        long known = 1;
        for (int i = 0; i < target.length; i++) {
            long t = target[i];
            if (t == 0 && !allowZero) {
                if (i >= input.length) {
                    throw new OnnxFormatException(where + ": shape " + Arrays.toString(target) + " copies extent " + i
                            + " of an input of rank " + input.length);
                }
                t = input[i];
            }
            if (t == -1) {
                if (infer >= 0) {
                    throw new OnnxFormatException(where + ": shape " + Arrays.toString(target) + " has two -1");
                }
                infer = i;
                continue;
            }
            if (t < 0) {
                throw new OnnxFormatException(where + ": shape " + Arrays.toString(target) + " has a negative extent");
            }
            out[i] = (int) t;
            known *= t;
        }
        if (infer >= 0) {
            if (known == 0 || size % known != 0) {
                throw new OnnxFormatException(where + ": cannot reshape " + Arrays.toString(input) + " ("
                        + size + " values) to " + Arrays.toString(target));
            }
            out[infer] = (int) (size / known);
        } else if (known != size) {
            throw new OnnxFormatException(where + ": cannot reshape " + Arrays.toString(input) + " (" + size
                    + " values) to " + Arrays.toString(out) + " (" + known + ")");
        }
        return out;
    }

    static List<Integer> ones(int rank) {
        return Collections.nCopies(rank, 1);
    }

    static List<Integer> tail(int[] dims, int from) {
        return Arrays.stream(dims, from, dims.length).boxed().toList();
    }

    static List<Integer> slice(int[] values, int from, int to) {
        return Arrays.stream(values, from, to).boxed().toList();
    }

    /** A shape as messages show it, the open batch as N: [N, 3, 28, 28]. */
    static String text(int[] shape) {
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < shape.length; i++) {
            parts.add(shape[i] == (int) ConstTensor.BATCH ? "N" : String.valueOf(shape[i]));
        }
        return "[" + String.join(", ", parts) + "]";
    }
}
