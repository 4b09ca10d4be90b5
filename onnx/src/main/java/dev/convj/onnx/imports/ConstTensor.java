package dev.convj.onnx.imports;

import ai.onnx.proto.OnnxMl.TensorProto;
import dev.convj.onnx.OnnxFormatException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A tensor whose values are known at import time (an initializer, a Constant, or something computed from them or
 * from shapes), held as doubles in C order. Shapes computed from the dynamic batch hold {@link #BATCH} there.
 */
record ConstTensor(int[] dims, double[] values, boolean integral) {

    /** Stands for the batch extent, unknown at import, in shape arithmetic (exact in a double, far from any size). */
    static final double BATCH = -(double) (1L << 50);

    static ConstTensor scalar(double v, boolean integral) {
        return new ConstTensor(new int[0], new double[] {v}, integral);
    }

    static ConstTensor vector(double[] v, boolean integral) {
        return new ConstTensor(new int[] {v.length}, v, integral);
    }

    int size() {
        return values.length;
    }

    int rank() {
        return dims.length;
    }

    boolean hasBatch() {
        return Arrays.stream(values).anyMatch(v -> v == BATCH);
    }

    float[] floats() {
        float[] f = new float[values.length];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) values[i];
        }
        return f;
    }

    long[] longs() {
        long[] l = new long[values.length];
        for (int i = 0; i < l.length; i++) {
            l[i] = (long) values[i];
        }
        return l;
    }

    String describe() {
        return Arrays.toString(dims) + (integral ? " int" : " float");
    }

    /** Decodes an initializer or a Constant's tensor: raw little-endian bytes or the typed fields. */
    static ConstTensor of(TensorProto t, String where) {
        int[] dims = t.getDimsList().stream().mapToInt(Long::intValue).toArray();
        long count = 1;
        for (long d : t.getDimsList()) {
            if (d < 0 || d > Integer.MAX_VALUE) {
                throw new OnnxFormatException(where + ": tensor '" + t.getName() + "' has an invalid extent " + d);
            }
            count *= d;
        }
        if (t.getDataLocation() == TensorProto.DataLocation.EXTERNAL || t.getExternalDataCount() > 0) {
            throw new OnnxFormatException(where + ": tensor '" + t.getName() + "' keeps its data in an external file;"
                    + " save the model with its weights inside (onnx.save(model, path, save_as_external_data=False))");
        }
        int type = t.getDataType();
        int n = (int) count;
        double[] v = new double[n];
        boolean integral;
        if (!t.getRawData().isEmpty()) {
            ByteBuffer b = t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
            int width = switch (type) {
                case 1, 6 -> 4; // FLOAT, INT32
                case 7, 11 -> 8; // INT64, DOUBLE
                case 2, 3, 9 -> 1; // UINT8, INT8, BOOL
                default -> throw unsupportedType(t, where);
            };
            if (b.remaining() != (long) n * width) {
                throw new OnnxFormatException(where + ": tensor '" + t.getName() + "' of shape " + Arrays.toString(dims)
                        + " needs " + (long) n * width + " bytes of raw data, the file holds " + b.remaining()
                        + "; the file is damaged");
            }
            for (int i = 0; i < n; i++) {
                v[i] = switch (type) {
                    case 1 -> b.getFloat();
                    case 6 -> b.getInt();
                    case 7 -> b.getLong();
                    case 11 -> b.getDouble();
                    case 2 -> b.get() & 0xFF;
                    default -> b.get();
                };
            }
            integral = type != 1 && type != 11;
        } else {
            int have;
            switch (type) {
                case 1 -> {
                    have = t.getFloatDataCount();
                    for (int i = 0; i < Math.min(n, have); i++) {
                        v[i] = t.getFloatData(i);
                    }
                    integral = false;
                }
                case 11 -> {
                    have = t.getDoubleDataCount();
                    for (int i = 0; i < Math.min(n, have); i++) {
                        v[i] = t.getDoubleData(i);
                    }
                    integral = false;
                }
                case 7 -> {
                    have = t.getInt64DataCount();
                    for (int i = 0; i < Math.min(n, have); i++) {
                        v[i] = t.getInt64Data(i);
                    }
                    integral = true;
                }
                case 2, 3, 6, 9 -> {
                    have = t.getInt32DataCount();
                    for (int i = 0; i < Math.min(n, have); i++) {
                        v[i] = t.getInt32Data(i);
                    }
                    integral = true;
                }
                default -> throw unsupportedType(t, where);
            }
            if (have != n) {
                throw new OnnxFormatException(where + ": tensor '" + t.getName() + "' of shape " + Arrays.toString(dims)
                        + " needs " + n + " values, the file holds " + have + "; the file is damaged");
            }
        }
        return new ConstTensor(dims, v, integral);
    }

    private static OnnxFormatException unsupportedType(TensorProto t, String where) {
        return new OnnxFormatException(where + ": tensor '" + t.getName() + "' has ONNX data type " + t.getDataType()
                + "; ConvJ imports float32, float64, int64, int32, int8, uint8 and bool tensors");
    }

    /** The shape both operands broadcast to (NumPy's rule), or null when they do not. */
    static int[] broadcast(int[] a, int[] b) {
        int rank = Math.max(a.length, b.length);
        int[] out = new int[rank];
        for (int i = 0; i < rank; i++) {
            int da = i < rank - a.length ? 1 : a[i - (rank - a.length)];
            int db = i < rank - b.length ? 1 : b[i - (rank - b.length)];
            if (da != db && da != 1 && db != 1) {
                return null;
            }
            out[i] = Math.max(da, db);
        }
        return out;
    }

    /** This tensor's values repeated to {@code target} (which it must broadcast to). */
    double[] expandTo(int[] target) {
        int size = 1;
        for (int d : target) {
            size *= d;
        }
        double[] out = new double[size];
        int offset = target.length - dims.length;
        int[] index = new int[target.length];
        for (int i = 0; i < size; i++) {
            int src = 0;
            for (int a = 0; a < dims.length; a++) {
                src = src * dims[a] + (dims[a] == 1 ? 0 : index[a + offset]);
            }
            out[i] = values[src];
            for (int a = target.length - 1; a >= 0; a--) {
                if (++index[a] < target[a]) {
                    break;
                }
                index[a] = 0;
            }
        }
        return out;
    }
}
