package dev.convj.examples.bench;

import dev.convj.codegen.kernels.KernelChoice;
import java.util.Optional;

/**
 * One core's fused multiply-add peak as this JVM reaches it at the width of the kernel in use ({@link KernelChoice}):
 * twelve independent chains of vector FMAs (acc = x·y + acc, the form of the GEMM micro-kernel's accumulators) with
 * nothing loaded or stored. A convolution's GFLOP/s read against this figure says how much of the machine it uses,
 * on a host of any vector width.
 */
final class FmaPeak {
    private FmaPeak() {}

    /** Keeps the chains' result alive, so the JIT cannot drop the loop. */
    private static volatile float sink;

    /** A measured peak: GFLOP/s, and the floats per vector of its FMAs (8 with AVX2, 16 with AVX-512). */
    record Measured(double gflops, int lanes) {}

    /**
     * The best of {@code windows} timed windows of about {@code millis} ms each, on the calling thread; empty
     * without the Vector API (a scalar figure would not be the peak the micro-kernel is held to).
     */
    static Optional<Measured> measure(int windows, long millis) {
        int bits = KernelChoice.vectorBits();
        if (bits == 0) {
            return Optional.empty();
        }
        for (int i = 0; i < 200; i++) { // until C2 has compiled the loop
            sink = KernelChoice.fmaChains(10_000);
        }
        long nanos = System.nanoTime();
        sink = KernelChoice.fmaChains(1_000_000);
        int iterations = (int) Math.max(1_000, Math.min(Integer.MAX_VALUE,
                1_000_000 * millis * 1_000_000 / Math.max(1, System.nanoTime() - nanos)));
        double best = 0;
        for (int w = 0; w < windows; w++) {
            long start = System.nanoTime();
            sink = KernelChoice.fmaChains(iterations);
            double seconds = (System.nanoTime() - start) / 1e9;
            best = Math.max(best, (double) iterations * (12.0 * 2 * bits / 32) / seconds / 1e9);
        }
        return Optional.of(new Measured(best, bits / 32));
    }
}
