package dev.convj.examples;

import dev.convj.runtime.train.ExecutableFactory;

/**
 * The one place where the examples and the command line choose how graphs run. Today: the float32 reference
 * interpreter (slow). The code-generation issue plugs its compiled executables in here, reading {@code threads}.
 */
public final class Backend {
    private Backend() {}

    /** The executable factory for training and inference with {@code threads} worker threads (≤ 0: all cores). */
    public static ExecutableFactory factory(int threads) {
        if (threads > Runtime.getRuntime().availableProcessors() * 4) {
            throw new IllegalArgumentException("--threads " + threads + " is more than four per core; this machine has "
                    + Runtime.getRuntime().availableProcessors() + " cores");
        }
        return ExecutableFactory.interpreter();
    }

    /** The backend's name for logs. */
    public static String describe(int threads) {
        return "float32 reference interpreter (compiled code not plugged in yet; --threads "
                + (threads <= 0 ? "auto" : threads) + " is kept for it)";
    }
}
