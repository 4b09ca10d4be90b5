package dev.convj.codegen.kernels;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Field;
import java.util.Objects;

/**
 * Reads of a packed panel of A inside the micro-kernel, without a bounds check per element. C2 cannot hoist those
 * checks out of the kernel's loop (it turns the index 6·p into two shifts, which its range-check elimination does
 * not recognize), and six compare-and-branch pairs per step of twelve fused multiply-adds cost a large part of the
 * kernel's speed. So each kernel checks its panel's whole range once, with {@link #address}, and then reads through
 * {@code sun.misc.Unsafe.getFloat}: no read can leave the array.
 *
 * <p>{@code Unsafe} is reached by reflection and called through a constant method handle, which C2 inlines to the
 * same single load; nothing names it at compile time, so javac has no internal-API warning to print (this file is
 * also nested into exported standalone classes). From JDK 24 on the JVM warns when Unsafe reads memory, so there
 * the reads are unchecked only when the user allowed it: {@code --sun-misc-unsafe-memory-access=allow} (which also
 * silences the warning) or {@code -Dconvj.uncheckedReads=true}. Otherwise, where Unsafe is missing or refuses, or
 * with {@code -Dconvj.uncheckedReads=false}, the reads are plain array reads: the same results at about half the
 * speed.
 */
final class PackedPanel {
    private PackedPanel() {}

    /** Unsafe.getFloat(Object, long) bound to the Unsafe instance, or null. */
    private static final MethodHandle GET_FLOAT;
    private static final long BASE;

    static {
        MethodHandle getFloat = null;
        long base = 0;
        if (allowed()) {
            try {
                Class<?> type = Class.forName("sun.misc.Unsafe");
                Field field = type.getDeclaredField("theUnsafe");
                field.setAccessible(true);
                Object unsafe = field.get(null);
                int scale = (int) type.getMethod("arrayIndexScale", Class.class).invoke(unsafe, float[].class);
                if (scale == Float.BYTES) {
                    base = (int) type.getMethod("arrayBaseOffset", Class.class).invoke(unsafe, float[].class);
                    getFloat = MethodHandles.lookup().findVirtual(type, "getFloat",
                            MethodType.methodType(float.class, Object.class, long.class)).bindTo(unsafe);
                }
            } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
                getFloat = null;
                base = 0;
            }
        }
        GET_FLOAT = getFloat;
        BASE = base;
    }

    private static boolean allowed() {
        return allowed(System.getProperty("convj.uncheckedReads"), Runtime.version().feature(),
                System.getProperty("sun.misc.unsafe.memory.access"));
    }

    /**
     * Whether to try Unsafe: when {@code -Dconvj.uncheckedReads} asks (anything but "false"), else by default
     * where the JVM does not warn about it: before JDK 24, or when the JVM runs with
     * {@code --sun-misc-unsafe-memory-access=allow} (which sets {@code jvmAccess}).
     */
    static boolean allowed(String asked, int jdk, String jvmAccess) {
        if (asked != null) {
            return !"false".equals(asked);
        }
        return jdk < 24 || "allow".equals(jvmAccess);
    }

    /** Whether reads skip the bounds check; a constant, so C2 keeps one branch of {@link #get}. */
    static final boolean UNCHECKED = GET_FLOAT != null;

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
        if (UNCHECKED) {
            try {
                return (float) GET_FLOAT.invokeExact((Object) panel, address);
            } catch (Throwable t) {
                throw new IllegalStateException("Unsafe.getFloat failed", t);
            }
        }
        return panel[(int) ((address - BASE) / FLOAT)];
    }
}
