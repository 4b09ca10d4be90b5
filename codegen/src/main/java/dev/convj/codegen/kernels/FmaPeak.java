package dev.convj.codegen.kernels;

import java.util.Optional;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * One core's fused multiply-add peak as this JVM reaches it: twelve independent chains of vector FMAs (acc = x·y +
 * acc, the form of the GEMM micro-kernel's accumulators) with nothing loaded or stored. A convolution's GFLOP/s
 * read against this figure says how much of the machine it uses, on a host of any vector width.
 */
public final class FmaPeak {
    private FmaPeak() {}

    /** Keeps the chains' result alive, so the JIT cannot drop the loop. */
    private static volatile float sink;

    /** A measured peak: GFLOP/s, and the floats per vector of its FMAs (8 with AVX2, 16 with AVX-512). */
    public record Measured(double gflops, int lanes) {}

    /**
     * The best of {@code windows} timed windows of about {@code millis} ms each, on the calling thread; empty
     * without the Vector API (a scalar figure would not be the peak the micro-kernel is held to).
     */
    public static Optional<Measured> measure(int windows, long millis) {
        if (!VectorSupport.AVAILABLE) {
            return Optional.empty();
        }
        for (int i = 0; i < 200; i++) { // until C2 has compiled the loop
            sink = Chains.run(10_000);
        }
        long nanos = System.nanoTime();
        sink = Chains.run(1_000_000);
        int iterations = (int) Math.max(1_000, Math.min(Integer.MAX_VALUE,
                1_000_000 * millis * 1_000_000 / Math.max(1, System.nanoTime() - nanos)));
        double best = 0;
        for (int w = 0; w < windows; w++) {
            long start = System.nanoTime();
            sink = Chains.run(iterations);
            double seconds = (System.nanoTime() - start) / 1e9;
            best = Math.max(best, (double) iterations * Chains.FLOPS_PER_ITERATION / seconds / 1e9);
        }
        return Optional.of(new Measured(best, Chains.S.length()));
    }

    /** Kept apart: {@link FmaPeak} itself never names a Vector API type, so it loads without the module. */
    private static final class Chains {
        static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
        /** Twelve FMAs of S.length() lanes, two flops a lane. */
        static final double FLOPS_PER_ITERATION = 12 * 2 * S.length();

        static float run(int iterations) {
            FloatVector x = FloatVector.broadcast(S, 0.999999f);
            FloatVector y = FloatVector.broadcast(S, 1e-7f);
            // distinct starting values, so no two chains are the same computation
            FloatVector a0 = FloatVector.broadcast(S, 1f);
            FloatVector a1 = FloatVector.broadcast(S, 2f);
            FloatVector a2 = FloatVector.broadcast(S, 3f);
            FloatVector a3 = FloatVector.broadcast(S, 4f);
            FloatVector a4 = FloatVector.broadcast(S, 5f);
            FloatVector a5 = FloatVector.broadcast(S, 6f);
            FloatVector a6 = FloatVector.broadcast(S, 7f);
            FloatVector a7 = FloatVector.broadcast(S, 8f);
            FloatVector a8 = FloatVector.broadcast(S, 9f);
            FloatVector a9 = FloatVector.broadcast(S, 10f);
            FloatVector a10 = FloatVector.broadcast(S, 11f);
            FloatVector a11 = FloatVector.broadcast(S, 12f);
            for (int i = 0; i < iterations; i++) {
                a0 = x.fma(y, a0);
                a1 = x.fma(y, a1);
                a2 = x.fma(y, a2);
                a3 = x.fma(y, a3);
                a4 = x.fma(y, a4);
                a5 = x.fma(y, a5);
                a6 = x.fma(y, a6);
                a7 = x.fma(y, a7);
                a8 = x.fma(y, a8);
                a9 = x.fma(y, a9);
                a10 = x.fma(y, a10);
                a11 = x.fma(y, a11);
            }
            return a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).add(a8).add(a9).add(a10).add(a11)
                    .reduceLanes(VectorOperators.ADD);
        }
    }
}
