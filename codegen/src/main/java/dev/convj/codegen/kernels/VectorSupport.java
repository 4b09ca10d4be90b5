package dev.convj.codegen.kernels;

/** Whether the Vector API can be used: the incubator module is resolved and not switched off. */
public final class VectorSupport {
    private VectorSupport() {}

    /** True when {@code jdk.incubator.vector} is in the boot layer ({@code --add-modules jdk.incubator.vector}). */
    static final boolean MODULE_PRESENT = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();

    /**
     * True when {@code jdk.incubator.vector} is in the boot layer (the JVM was started with
     * {@code --add-modules jdk.incubator.vector}) and the system property {@code convj.vector} is not "false".
     */
    public static final boolean AVAILABLE = MODULE_PRESENT && !"false".equals(System.getProperty("convj.vector"));

    /**
     * Whether the Vector API micro-kernel reads its packed panels without a bounds check per element, at about
     * twice the speed of checked reads. From JDK 24 on only when the JVM allows sun.misc.Unsafe's memory access
     * ({@code --sun-misc-unsafe-memory-access=allow}) or {@code -Dconvj.uncheckedReads=true} asks for it.
     */
    public static boolean uncheckedReads() {
        return AVAILABLE && PackedPanel.UNCHECKED;
    }

    /** The widest float vector this JVM offers, in bits (only when {@link #AVAILABLE}). */
    static int preferredBits() {
        return Preferred.BITS;
    }

    /**
     * Whether the CPU has 32 vector registers: it offers 512-bit vectors (AVX-512, which brings 32 registers at every
     * width). Kernels that keep more than 16 vectors live take their register-light form without it.
     */
    static boolean manyRegisters() {
        return AVAILABLE && preferredBits() >= 512;
    }

    /**
     * Whether the channel-vector convolution goes by kernel rows (Gemm's convChannelRows): with 32 registers, unless
     * {@code -Dconvj.kernelRows} says otherwise.
     */
    static boolean kernelRows() {
        String asked = System.getProperty("convj.kernelRows");
        if (asked != null) {
            return AVAILABLE && Boolean.parseBoolean(asked);
        }
        return manyRegisters();
    }

    /** Kept apart so that VectorSupport itself loads without the module. */
    private static final class Preferred {
        static final int BITS = jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.vectorBitSize();
    }
}
