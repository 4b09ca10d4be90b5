package dev.convj.examples;

import dev.convj.codegen.kernels.KernelChoice;
import dev.convj.runtime.train.ExecutableFactory;

/** The one place where the examples and the command line choose how graphs run: compiled, generated code. */
public final class Backend {
    private Backend() {}

    /** The executable factory for training and inference with {@code threads} worker threads (0: all cores). */
    public static ExecutableFactory factory(int threads) {
        return ExecutableFactory.compiled(resolve(threads));
    }

    /** {@code threads}, or the number of cores when it is 0; negative, or more than four per core, is refused. */
    public static int resolve(int threads) {
        int cores = Runtime.getRuntime().availableProcessors();
        if (threads < 0) {
            throw new IllegalArgumentException("--threads " + threads + ": must be ≥ 0 (0: all cores)");
        }
        if (threads > cores * 4) {
            throw new IllegalArgumentException("--threads " + threads + " is more than four per core; this machine has "
                    + cores + " cores");
        }
        return threads == 0 ? cores : threads;
    }

    /** The backend's name for logs. */
    public static String describe(int threads) {
        return "generated code on " + resolve(threads) + " thread(s), " + kernel();
    }

    /**
     * The micro-kernel in use, e.g. "kernel: vector 512-bit (16 lanes)", and the JVM option that would make it
     * faster, if one would.
     */
    public static String kernel() {
        return "kernel: " + KernelChoice.describe() + KernelChoice.hint().map(h -> " (" + h + ")").orElse("");
    }
}
