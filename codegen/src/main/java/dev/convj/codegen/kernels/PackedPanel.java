package dev.convj.codegen.kernels;

import java.lang.reflect.Field;
import java.util.Objects;

/**
 * Reads of a packed panel of A inside the micro-kernel, without a bounds check per element. C2 cannot hoist those
 * checks out of the kernel's loop (it turns the index 6·p into two shifts, which its range-check elimination does
 * not recognize), and six compare-and-branch pairs per step of twelve fused multiply-adds cost 15–45% of the
 * kernel's speed (/tmp microbenchmark, AVX2). So each kernel checks its panel's whole range once, with
 * {@link #checkRange}, and then reads through {@code sun.misc.Unsafe}: no read can leave the array.
 *
 * <p>Where {@code Unsafe} is missing, from JDK 24 on (where its memory access prints a warning), or with
 * {@code -Dconvj.uncheckedReads=false}, the reads are plain array reads: the same results, the old speed.
 */
final class PackedPanel {
    private PackedPanel() {}

    private static final sun.misc.Unsafe UNSAFE = unsafeOrNull();
    private static final long BASE = UNSAFE == null ? 0 : UNSAFE.arrayBaseOffset(float[].class);

    /** Whether reads skip the bounds check; a constant, so C2 keeps one branch of {@link #get}. */
    static final boolean UNCHECKED = UNSAFE != null && UNSAFE.arrayIndexScale(float[].class) == Float.BYTES;

    /** Bytes from one float to the next in an {@link #address}. */
    static final long FLOAT = Float.BYTES;

    /**
     * The address of panel[from], after checking that panel[from, from + length) lies inside the array: call it
     * before the loop that reads, and step the address by multiples of {@link #FLOAT} within that range.
     */
    static long address(float[] panel, int from, int length) {
        Objects.checkFromIndexSize(from, length, panel.length);
        return BASE + FLOAT * from;
    }

    /** The float at an address inside a range checked by {@link #address}. */
    static float get(float[] panel, long address) {
        return UNCHECKED ? UNSAFE.getFloat(panel, address) : panel[(int) ((address - BASE) / FLOAT)];
    }

    private static sun.misc.Unsafe unsafeOrNull() {
        if (Runtime.version().feature() >= 24 || "false".equals(System.getProperty("convj.uncheckedReads"))) {
            return null;
        }
        try {
            Field f = sun.misc.Unsafe.class.getDeclaredField("theUnsafe");
            f.setAccessible(true);
            return (sun.misc.Unsafe) f.get(null);
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            return null;
        }
    }
}
