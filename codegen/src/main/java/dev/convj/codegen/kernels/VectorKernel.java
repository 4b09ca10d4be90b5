package dev.convj.codegen.kernels;

import static jdk.incubator.vector.VectorOperators.FMA;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The register-blocked micro-kernel: a 6×(2 vectors) tile of C held in 12 vector accumulators while K streams
 * through; per step two loads of packed B, six broadcasts of packed A and twelve fused multiply-adds.
 * Only loaded when {@link VectorSupport#AVAILABLE}.
 */
final class VectorKernel {
    private VectorKernel() {}

    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int L = S.length();
    static final int NR = 2 * L;

    static void tile(int kc, float[] pa, int aAt, float[] pb, int bAt, float[] c, int cAt, int ldc, boolean add) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S), c51 = FloatVector.zero(S);
        int a = aAt, b = bAt;
        for (int p = 0; p < kc; p++, a += 6, b += NR) {
            FloatVector b0 = FloatVector.fromArray(S, pb, b);
            FloatVector b1 = FloatVector.fromArray(S, pb, b + L);
            FloatVector x = FloatVector.broadcast(S, pa[a]);
            c00 = x.lanewise(FMA, b0, c00);
            c01 = x.lanewise(FMA, b1, c01);
            x = FloatVector.broadcast(S, pa[a + 1]);
            c10 = x.lanewise(FMA, b0, c10);
            c11 = x.lanewise(FMA, b1, c11);
            x = FloatVector.broadcast(S, pa[a + 2]);
            c20 = x.lanewise(FMA, b0, c20);
            c21 = x.lanewise(FMA, b1, c21);
            x = FloatVector.broadcast(S, pa[a + 3]);
            c30 = x.lanewise(FMA, b0, c30);
            c31 = x.lanewise(FMA, b1, c31);
            x = FloatVector.broadcast(S, pa[a + 4]);
            c40 = x.lanewise(FMA, b0, c40);
            c41 = x.lanewise(FMA, b1, c41);
            x = FloatVector.broadcast(S, pa[a + 5]);
            c50 = x.lanewise(FMA, b0, c50);
            c51 = x.lanewise(FMA, b1, c51);
        }
        store(c00, c01, c, cAt, add);
        store(c10, c11, c, cAt + ldc, add);
        store(c20, c21, c, cAt + 2 * ldc, add);
        store(c30, c31, c, cAt + 3 * ldc, add);
        store(c40, c41, c, cAt + 4 * ldc, add);
        store(c50, c51, c, cAt + 5 * ldc, add);
    }

    private static void store(FloatVector v0, FloatVector v1, float[] c, int at, boolean add) {
        if (add) {
            v0 = v0.add(FloatVector.fromArray(S, c, at));
            v1 = v1.add(FloatVector.fromArray(S, c, at + L));
        }
        v0.intoArray(c, at);
        v1.intoArray(c, at + L);
    }
}
