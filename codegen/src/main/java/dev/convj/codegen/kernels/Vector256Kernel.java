package dev.convj.codegen.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The register-blocked micro-kernel with 256-bit vectors: a 6×(2 vectors) tile of C held in 12 vector accumulators
 * while K streams through; per step two loads of B, six broadcasts of packed A and twelve fused multiply-adds. B's
 * rows are a fixed stride apart (a packed panel, a matrix read in place) or, in {@link #tileAt}, at offsets from a
 * table (an image read through a convolution's tap offsets: implicit im2col).
 * <p>The build derives the 512- and 128-bit kernels from this file by renaming it and its species (as the JDK
 * derives its vector classes from one template); {@link KernelChoice} picks the one this JVM compiles best.
 */
final class Vector256Kernel implements MicroKernel {
    static final Vector256Kernel INSTANCE = new Vector256Kernel();

    private Vector256Kernel() {}

    static final VectorSpecies<Float> S = FloatVector.SPECIES_256;
    static final int L = S.length();
    static final int NR = 2 * L;

    @Override
    public int vectorBits() {
        return S.vectorBitSize();
    }

    @Override
    public int columns() {
        return NR;
    }

    /** B's rows bStride apart: a packed panel, or a matrix read in place. */
    @Override
    public void tile(int kc, float[] pa, int aAt, float[] pb, int bAt, int bStride, float[] c, int cAt, int ldc,
                     float[] start, int startAt, int startLd) {
        // The sums start from the rows the caller chose (C, or zeros): no vectors merged from a branch here.
        int r1 = cAt + ldc, r2 = r1 + ldc, r3 = r2 + ldc, r4 = r3 + ldc, r5 = r4 + ldc;
        int s1 = startAt + startLd, s2 = s1 + startLd, s3 = s2 + startLd, s4 = s3 + startLd, s5 = s4 + startLd;
        FloatVector c00 = FloatVector.fromArray(S, start, startAt);
        FloatVector c01 = FloatVector.fromArray(S, start, startAt + L);
        FloatVector c10 = FloatVector.fromArray(S, start, s1);
        FloatVector c11 = FloatVector.fromArray(S, start, s1 + L);
        FloatVector c20 = FloatVector.fromArray(S, start, s2);
        FloatVector c21 = FloatVector.fromArray(S, start, s2 + L);
        FloatVector c30 = FloatVector.fromArray(S, start, s3);
        FloatVector c31 = FloatVector.fromArray(S, start, s3 + L);
        FloatVector c40 = FloatVector.fromArray(S, start, s4);
        FloatVector c41 = FloatVector.fromArray(S, start, s4 + L);
        FloatVector c50 = FloatVector.fromArray(S, start, s5);
        FloatVector c51 = FloatVector.fromArray(S, start, s5 + L);
        long a = PackedPanel.address(pa, aAt, 6 * kc);
        // A is read unchecked (PackedPanel: C2 would keep its six checks per step). B's two checks stay on purpose:
        // with a constant stride C2 removes them, then unrolls the loop and spills accumulators. The loop runs on A's
        // address with B's index stepped beside it, so no multiply forms B's index (docs/performance.md).
        long end = a + 6 * PackedPanel.FLOAT * (long) kc;
        for (int b = bAt; a < end; a += 6 * PackedPanel.FLOAT, b += bStride) {
            FloatVector b0 = FloatVector.fromArray(S, pb, b);
            FloatVector b1 = FloatVector.fromArray(S, pb, b + L);
            FloatVector x = FloatVector.broadcast(S, PackedPanel.get(pa, a));
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(S, PackedPanel.get(pa, a + 1 * PackedPanel.FLOAT));
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(S, PackedPanel.get(pa, a + 2 * PackedPanel.FLOAT));
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(S, PackedPanel.get(pa, a + 3 * PackedPanel.FLOAT));
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(S, PackedPanel.get(pa, a + 4 * PackedPanel.FLOAT));
            c40 = x.fma(b0, c40);
            c41 = x.fma(b1, c41);
            x = FloatVector.broadcast(S, PackedPanel.get(pa, a + 5 * PackedPanel.FLOAT));
            c50 = x.fma(b0, c50);
            c51 = x.fma(b1, c51);
        }
        c00.intoArray(c, cAt);
        c01.intoArray(c, cAt + L);
        c10.intoArray(c, r1);
        c11.intoArray(c, r1 + L);
        c20.intoArray(c, r2);
        c21.intoArray(c, r2 + L);
        c30.intoArray(c, r3);
        c31.intoArray(c, r3 + L);
        c40.intoArray(c, r4);
        c41.intoArray(c, r4 + L);
        c50.intoArray(c, r5);
        c51.intoArray(c, r5 + L);
    }

    /**
     * {@link MicroKernel#tileUnpackedA}: the body of {@link #tile}, A's step p lda floats after step p − 1 instead
     * of MR. Where few column panels share a block of A, packing it costs more than these strided reads.
     */
    @Override
    public void tileUnpackedA(int kc, float[] pa, int aAt, int lda, float[] pb, int bAt, int bStride, float[] c,
                              int cAt, int ldc, float[] start, int startAt, int startLd) {
        // The sums start from the rows the caller chose (C, or zeros): no vectors merged from a branch here.
        int r1 = cAt + ldc, r2 = r1 + ldc, r3 = r2 + ldc, r4 = r3 + ldc, r5 = r4 + ldc;
        int s1 = startAt + startLd, s2 = s1 + startLd, s3 = s2 + startLd, s4 = s3 + startLd, s5 = s4 + startLd;
        FloatVector c00 = FloatVector.fromArray(S, start, startAt);
        FloatVector c01 = FloatVector.fromArray(S, start, startAt + L);
        FloatVector c10 = FloatVector.fromArray(S, start, s1);
        FloatVector c11 = FloatVector.fromArray(S, start, s1 + L);
        FloatVector c20 = FloatVector.fromArray(S, start, s2);
        FloatVector c21 = FloatVector.fromArray(S, start, s2 + L);
        FloatVector c30 = FloatVector.fromArray(S, start, s3);
        FloatVector c31 = FloatVector.fromArray(S, start, s3 + L);
        FloatVector c40 = FloatVector.fromArray(S, start, s4);
        FloatVector c41 = FloatVector.fromArray(S, start, s4 + L);
        FloatVector c50 = FloatVector.fromArray(S, start, s5);
        FloatVector c51 = FloatVector.fromArray(S, start, s5 + L);
        long a = PackedPanel.address(pa, aAt, (kc - 1) * lda + 6);
        long aStep = PackedPanel.FLOAT * (long) lda, end = a + aStep * kc;
        for (int b = bAt; a < end; a += aStep, b += bStride) {
            FloatVector b0 = FloatVector.fromArray(S, pb, b);
            FloatVector b1 = FloatVector.fromArray(S, pb, b + L);
            FloatVector x = FloatVector.broadcast(S, PackedPanel.get(pa, a));
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(S, PackedPanel.get(pa, a + 1 * PackedPanel.FLOAT));
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(S, PackedPanel.get(pa, a + 2 * PackedPanel.FLOAT));
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(S, PackedPanel.get(pa, a + 3 * PackedPanel.FLOAT));
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(S, PackedPanel.get(pa, a + 4 * PackedPanel.FLOAT));
            c40 = x.fma(b0, c40);
            c41 = x.fma(b1, c41);
            x = FloatVector.broadcast(S, PackedPanel.get(pa, a + 5 * PackedPanel.FLOAT));
            c50 = x.fma(b0, c50);
            c51 = x.fma(b1, c51);
        }
        c00.intoArray(c, cAt);
        c01.intoArray(c, cAt + L);
        c10.intoArray(c, r1);
        c11.intoArray(c, r1 + L);
        c20.intoArray(c, r2);
        c21.intoArray(c, r2 + L);
        c30.intoArray(c, r3);
        c31.intoArray(c, r3 + L);
        c40.intoArray(c, r4);
        c41.intoArray(c, r4 + L);
        c50.intoArray(c, r5);
        c51.intoArray(c, r5 + L);
    }

    /**
     * B's row p at bAt + rows[rowAt + p]: an image read through a convolution's tap offsets. The same body as
     * {@link #tile}, kept apart on purpose: folding the two (a table for every B, or copying these rows into a
     * panel first) is slower.
     */
    @Override
    public void tileAt(int kc, float[] pa, int aAt, float[] pb, int bAt, int[] rows, int rowAt, float[] c, int cAt,
                     int ldc, float[] start, int startAt, int startLd) {
        // The sums start from the rows the caller chose (C, or zeros): no vectors merged from a branch here.
        int r1 = cAt + ldc, r2 = r1 + ldc, r3 = r2 + ldc, r4 = r3 + ldc, r5 = r4 + ldc;
        int s1 = startAt + startLd, s2 = s1 + startLd, s3 = s2 + startLd, s4 = s3 + startLd, s5 = s4 + startLd;
        FloatVector c00 = FloatVector.fromArray(S, start, startAt);
        FloatVector c01 = FloatVector.fromArray(S, start, startAt + L);
        FloatVector c10 = FloatVector.fromArray(S, start, s1);
        FloatVector c11 = FloatVector.fromArray(S, start, s1 + L);
        FloatVector c20 = FloatVector.fromArray(S, start, s2);
        FloatVector c21 = FloatVector.fromArray(S, start, s2 + L);
        FloatVector c30 = FloatVector.fromArray(S, start, s3);
        FloatVector c31 = FloatVector.fromArray(S, start, s3 + L);
        FloatVector c40 = FloatVector.fromArray(S, start, s4);
        FloatVector c41 = FloatVector.fromArray(S, start, s4 + L);
        FloatVector c50 = FloatVector.fromArray(S, start, s5);
        FloatVector c51 = FloatVector.fromArray(S, start, s5 + L);
        long a = PackedPanel.address(pa, aAt, 6 * kc);
        // The loop counts through the tap table itself (rows[p], not rows[rowAt + p]): one add less per step.
        for (int p = rowAt, pEnd = rowAt + kc; p < pEnd; p++, a += 6 * PackedPanel.FLOAT) {
            int b = bAt + rows[p];
            FloatVector b0 = FloatVector.fromArray(S, pb, b);
            FloatVector b1 = FloatVector.fromArray(S, pb, b + L);
            FloatVector x = FloatVector.broadcast(S, PackedPanel.get(pa, a));
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(S, PackedPanel.get(pa, a + 1 * PackedPanel.FLOAT));
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(S, PackedPanel.get(pa, a + 2 * PackedPanel.FLOAT));
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(S, PackedPanel.get(pa, a + 3 * PackedPanel.FLOAT));
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(S, PackedPanel.get(pa, a + 4 * PackedPanel.FLOAT));
            c40 = x.fma(b0, c40);
            c41 = x.fma(b1, c41);
            x = FloatVector.broadcast(S, PackedPanel.get(pa, a + 5 * PackedPanel.FLOAT));
            c50 = x.fma(b0, c50);
            c51 = x.fma(b1, c51);
        }
        c00.intoArray(c, cAt);
        c01.intoArray(c, cAt + L);
        c10.intoArray(c, r1);
        c11.intoArray(c, r1 + L);
        c20.intoArray(c, r2);
        c21.intoArray(c, r2 + L);
        c30.intoArray(c, r3);
        c31.intoArray(c, r3 + L);
        c40.intoArray(c, r4);
        c41.intoArray(c, r4 + L);
        c50.intoArray(c, r5);
        c51.intoArray(c, r5 + L);
    }

    /**
     * Two tiles stacked, 2·MR rows: rows [0, MR) from A's panel at aAt, rows [MR, 2·MR) from the panel at aAt2, each
     * B row loaded once for both. With 32 vector registers (AVX-512) the 24 accumulators stay in registers and B is
     * read half as often per multiply-add; {@link KernelTrial} times it against {@link #tile} and Gemm uses it where
     * it was faster ({@link KernelChoice#twoPanels}). B's rows bStride apart; {@link #tileAt2} reads them through a
     * table (one body for both, as {@link #tile4} has, measured slower: 89 against 116 GFLOP/s on an F(4×4) input
     * gradient).
     */
    @Override
    public void tile2(int kc, float[] pa, int aAt, int aAt2, float[] pb, int bAt, int bStride, float[] c, int cAt,
                      int ldc, float[] start, int startAt, int startLd) {
        int r1 = cAt + ldc, r2 = r1 + ldc, r3 = r2 + ldc, r4 = r3 + ldc, r5 = r4 + ldc;
        int r6 = r5 + ldc, r7 = r6 + ldc, r8 = r7 + ldc, r9 = r8 + ldc, r10 = r9 + ldc, r11 = r10 + ldc;
        FloatVector c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51;
        FloatVector d00, d01, d10, d11, d20, d21, d30, d31, d40, d41, d50, d51;
        // From zero, C added after the loop: with C loaded before it, C2 spills accumulators inside the loop.
        c00 = c01 = c10 = c11 = c20 = c21 = c30 = c31 = c40 = c41 = c50 = c51 = FloatVector.zero(S);
        d00 = d01 = d10 = d11 = d20 = d21 = d30 = d31 = d40 = d41 = d50 = d51 = c00;
        long a = PackedPanel.address(pa, aAt, 6 * kc), a2 = PackedPanel.address(pa, aAt2, 6 * kc);
        long end = a + 6 * PackedPanel.FLOAT * (long) kc;
        for (int b = bAt; a < end; a += 6 * PackedPanel.FLOAT, a2 += 6 * PackedPanel.FLOAT, b += bStride) {
            FloatVector b0 = FloatVector.fromArray(S, pb, b);
            FloatVector b1 = FloatVector.fromArray(S, pb, b + L);
            FloatVector x = FloatVector.broadcast(S, PackedPanel.get(pa, a));
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(S, PackedPanel.get(pa, a + 1 * PackedPanel.FLOAT));
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(S, PackedPanel.get(pa, a + 2 * PackedPanel.FLOAT));
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(S, PackedPanel.get(pa, a + 3 * PackedPanel.FLOAT));
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(S, PackedPanel.get(pa, a + 4 * PackedPanel.FLOAT));
            c40 = x.fma(b0, c40);
            c41 = x.fma(b1, c41);
            x = FloatVector.broadcast(S, PackedPanel.get(pa, a + 5 * PackedPanel.FLOAT));
            c50 = x.fma(b0, c50);
            c51 = x.fma(b1, c51);
            x = FloatVector.broadcast(S, PackedPanel.get(pa, a2));
            d00 = x.fma(b0, d00);
            d01 = x.fma(b1, d01);
            x = FloatVector.broadcast(S, PackedPanel.get(pa, a2 + 1 * PackedPanel.FLOAT));
            d10 = x.fma(b0, d10);
            d11 = x.fma(b1, d11);
            x = FloatVector.broadcast(S, PackedPanel.get(pa, a2 + 2 * PackedPanel.FLOAT));
            d20 = x.fma(b0, d20);
            d21 = x.fma(b1, d21);
            x = FloatVector.broadcast(S, PackedPanel.get(pa, a2 + 3 * PackedPanel.FLOAT));
            d30 = x.fma(b0, d30);
            d31 = x.fma(b1, d31);
            x = FloatVector.broadcast(S, PackedPanel.get(pa, a2 + 4 * PackedPanel.FLOAT));
            d40 = x.fma(b0, d40);
            d41 = x.fma(b1, d41);
            x = FloatVector.broadcast(S, PackedPanel.get(pa, a2 + 5 * PackedPanel.FLOAT));
            d50 = x.fma(b0, d50);
            d51 = x.fma(b1, d51);
        }
        int s1 = startAt + startLd, s2 = s1 + startLd, s3 = s2 + startLd, s4 = s3 + startLd, s5 = s4 + startLd;
        int s6 = s5 + startLd, s7 = s6 + startLd, s8 = s7 + startLd, s9 = s8 + startLd, s10 = s9 + startLd;
        int s11 = s10 + startLd;
        c00 = c00.add(FloatVector.fromArray(S, start, startAt));
        c01 = c01.add(FloatVector.fromArray(S, start, startAt + L));
        c10 = c10.add(FloatVector.fromArray(S, start, s1));
        c11 = c11.add(FloatVector.fromArray(S, start, s1 + L));
        c20 = c20.add(FloatVector.fromArray(S, start, s2));
        c21 = c21.add(FloatVector.fromArray(S, start, s2 + L));
        c30 = c30.add(FloatVector.fromArray(S, start, s3));
        c31 = c31.add(FloatVector.fromArray(S, start, s3 + L));
        c40 = c40.add(FloatVector.fromArray(S, start, s4));
        c41 = c41.add(FloatVector.fromArray(S, start, s4 + L));
        c50 = c50.add(FloatVector.fromArray(S, start, s5));
        c51 = c51.add(FloatVector.fromArray(S, start, s5 + L));
        d00 = d00.add(FloatVector.fromArray(S, start, s6));
        d01 = d01.add(FloatVector.fromArray(S, start, s6 + L));
        d10 = d10.add(FloatVector.fromArray(S, start, s7));
        d11 = d11.add(FloatVector.fromArray(S, start, s7 + L));
        d20 = d20.add(FloatVector.fromArray(S, start, s8));
        d21 = d21.add(FloatVector.fromArray(S, start, s8 + L));
        d30 = d30.add(FloatVector.fromArray(S, start, s9));
        d31 = d31.add(FloatVector.fromArray(S, start, s9 + L));
        d40 = d40.add(FloatVector.fromArray(S, start, s10));
        d41 = d41.add(FloatVector.fromArray(S, start, s10 + L));
        d50 = d50.add(FloatVector.fromArray(S, start, s11));
        d51 = d51.add(FloatVector.fromArray(S, start, s11 + L));
        c00.intoArray(c, cAt);
        c01.intoArray(c, cAt + L);
        c10.intoArray(c, r1);
        c11.intoArray(c, r1 + L);
        c20.intoArray(c, r2);
        c21.intoArray(c, r2 + L);
        c30.intoArray(c, r3);
        c31.intoArray(c, r3 + L);
        c40.intoArray(c, r4);
        c41.intoArray(c, r4 + L);
        c50.intoArray(c, r5);
        c51.intoArray(c, r5 + L);
        d00.intoArray(c, r6);
        d01.intoArray(c, r6 + L);
        d10.intoArray(c, r7);
        d11.intoArray(c, r7 + L);
        d20.intoArray(c, r8);
        d21.intoArray(c, r8 + L);
        d30.intoArray(c, r9);
        d31.intoArray(c, r9 + L);
        d40.intoArray(c, r10);
        d41.intoArray(c, r10 + L);
        d50.intoArray(c, r11);
        d51.intoArray(c, r11 + L);
    }

    /** As {@link #tile2}, with B's row p at bAt + rows[rowAt + p]. */
    @Override
    public void tileAt2(int kc, float[] pa, int aAt, int aAt2, float[] pb, int bAt, int[] rows, int rowAt, float[] c,
                        int cAt, int ldc, float[] start, int startAt, int startLd) {
        int r1 = cAt + ldc, r2 = r1 + ldc, r3 = r2 + ldc, r4 = r3 + ldc, r5 = r4 + ldc;
        int r6 = r5 + ldc, r7 = r6 + ldc, r8 = r7 + ldc, r9 = r8 + ldc, r10 = r9 + ldc, r11 = r10 + ldc;
        FloatVector c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51;
        FloatVector d00, d01, d10, d11, d20, d21, d30, d31, d40, d41, d50, d51;
        // From zero, C added after the loop: with C loaded before it, C2 spills accumulators inside the loop.
        c00 = c01 = c10 = c11 = c20 = c21 = c30 = c31 = c40 = c41 = c50 = c51 = FloatVector.zero(S);
        d00 = d01 = d10 = d11 = d20 = d21 = d30 = d31 = d40 = d41 = d50 = d51 = c00;
        long a = PackedPanel.address(pa, aAt, 6 * kc), a2 = PackedPanel.address(pa, aAt2, 6 * kc);
        for (int p = rowAt, pEnd = rowAt + kc; p < pEnd; p++, a += 6 * PackedPanel.FLOAT, a2 += 6 * PackedPanel.FLOAT) {
            int b = bAt + rows[p];
            FloatVector b0 = FloatVector.fromArray(S, pb, b);
            FloatVector b1 = FloatVector.fromArray(S, pb, b + L);
            FloatVector x = FloatVector.broadcast(S, PackedPanel.get(pa, a));
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(S, PackedPanel.get(pa, a + 1 * PackedPanel.FLOAT));
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(S, PackedPanel.get(pa, a + 2 * PackedPanel.FLOAT));
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(S, PackedPanel.get(pa, a + 3 * PackedPanel.FLOAT));
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(S, PackedPanel.get(pa, a + 4 * PackedPanel.FLOAT));
            c40 = x.fma(b0, c40);
            c41 = x.fma(b1, c41);
            x = FloatVector.broadcast(S, PackedPanel.get(pa, a + 5 * PackedPanel.FLOAT));
            c50 = x.fma(b0, c50);
            c51 = x.fma(b1, c51);
            x = FloatVector.broadcast(S, PackedPanel.get(pa, a2));
            d00 = x.fma(b0, d00);
            d01 = x.fma(b1, d01);
            x = FloatVector.broadcast(S, PackedPanel.get(pa, a2 + 1 * PackedPanel.FLOAT));
            d10 = x.fma(b0, d10);
            d11 = x.fma(b1, d11);
            x = FloatVector.broadcast(S, PackedPanel.get(pa, a2 + 2 * PackedPanel.FLOAT));
            d20 = x.fma(b0, d20);
            d21 = x.fma(b1, d21);
            x = FloatVector.broadcast(S, PackedPanel.get(pa, a2 + 3 * PackedPanel.FLOAT));
            d30 = x.fma(b0, d30);
            d31 = x.fma(b1, d31);
            x = FloatVector.broadcast(S, PackedPanel.get(pa, a2 + 4 * PackedPanel.FLOAT));
            d40 = x.fma(b0, d40);
            d41 = x.fma(b1, d41);
            x = FloatVector.broadcast(S, PackedPanel.get(pa, a2 + 5 * PackedPanel.FLOAT));
            d50 = x.fma(b0, d50);
            d51 = x.fma(b1, d51);
        }
        int s1 = startAt + startLd, s2 = s1 + startLd, s3 = s2 + startLd, s4 = s3 + startLd, s5 = s4 + startLd;
        int s6 = s5 + startLd, s7 = s6 + startLd, s8 = s7 + startLd, s9 = s8 + startLd, s10 = s9 + startLd;
        int s11 = s10 + startLd;
        c00 = c00.add(FloatVector.fromArray(S, start, startAt));
        c01 = c01.add(FloatVector.fromArray(S, start, startAt + L));
        c10 = c10.add(FloatVector.fromArray(S, start, s1));
        c11 = c11.add(FloatVector.fromArray(S, start, s1 + L));
        c20 = c20.add(FloatVector.fromArray(S, start, s2));
        c21 = c21.add(FloatVector.fromArray(S, start, s2 + L));
        c30 = c30.add(FloatVector.fromArray(S, start, s3));
        c31 = c31.add(FloatVector.fromArray(S, start, s3 + L));
        c40 = c40.add(FloatVector.fromArray(S, start, s4));
        c41 = c41.add(FloatVector.fromArray(S, start, s4 + L));
        c50 = c50.add(FloatVector.fromArray(S, start, s5));
        c51 = c51.add(FloatVector.fromArray(S, start, s5 + L));
        d00 = d00.add(FloatVector.fromArray(S, start, s6));
        d01 = d01.add(FloatVector.fromArray(S, start, s6 + L));
        d10 = d10.add(FloatVector.fromArray(S, start, s7));
        d11 = d11.add(FloatVector.fromArray(S, start, s7 + L));
        d20 = d20.add(FloatVector.fromArray(S, start, s8));
        d21 = d21.add(FloatVector.fromArray(S, start, s8 + L));
        d30 = d30.add(FloatVector.fromArray(S, start, s9));
        d31 = d31.add(FloatVector.fromArray(S, start, s9 + L));
        d40 = d40.add(FloatVector.fromArray(S, start, s10));
        d41 = d41.add(FloatVector.fromArray(S, start, s10 + L));
        d50 = d50.add(FloatVector.fromArray(S, start, s11));
        d51 = d51.add(FloatVector.fromArray(S, start, s11 + L));
        c00.intoArray(c, cAt);
        c01.intoArray(c, cAt + L);
        c10.intoArray(c, r1);
        c11.intoArray(c, r1 + L);
        c20.intoArray(c, r2);
        c21.intoArray(c, r2 + L);
        c30.intoArray(c, r3);
        c31.intoArray(c, r3 + L);
        c40.intoArray(c, r4);
        c41.intoArray(c, r4 + L);
        c50.intoArray(c, r5);
        c51.intoArray(c, r5 + L);
        d00.intoArray(c, r6);
        d01.intoArray(c, r6 + L);
        d10.intoArray(c, r7);
        d11.intoArray(c, r7 + L);
        d20.intoArray(c, r8);
        d21.intoArray(c, r8 + L);
        d30.intoArray(c, r9);
        d31.intoArray(c, r9 + L);
        d40.intoArray(c, r10);
        d41.intoArray(c, r10 + L);
        d50.intoArray(c, r11);
        d51.intoArray(c, r11 + L);
    }

    /**
     * The first four rows of a tile (A still packed in panels of six): the bottom tile of a matrix whose rows
     * leave four or fewer, computed at two thirds of a whole tile's cost. M = 16, 32 and 64 all end so. B's rows
     * at bAt + rows[rowAt + p] when rows is not null, else bStride apart (a loop-invariant test: C2 unswitches it).
     */
    @Override
    public void tile4(int kc, float[] pa, int aAt, float[] pb, int bAt, int bStride, int[] rows, int rowAt,
                      float[] c, int cAt, int ldc, float[] start, int startAt, int startLd) {
        int r1 = cAt + ldc, r2 = r1 + ldc, r3 = r2 + ldc;
        int s1 = startAt + startLd, s2 = s1 + startLd, s3 = s2 + startLd;
        FloatVector c00 = FloatVector.fromArray(S, start, startAt);
        FloatVector c01 = FloatVector.fromArray(S, start, startAt + L);
        FloatVector c10 = FloatVector.fromArray(S, start, s1);
        FloatVector c11 = FloatVector.fromArray(S, start, s1 + L);
        FloatVector c20 = FloatVector.fromArray(S, start, s2);
        FloatVector c21 = FloatVector.fromArray(S, start, s2 + L);
        FloatVector c30 = FloatVector.fromArray(S, start, s3);
        FloatVector c31 = FloatVector.fromArray(S, start, s3 + L);
        long a = PackedPanel.address(pa, aAt, 6 * kc);
        for (int p = 0; p < kc; p++, a += 6 * PackedPanel.FLOAT) {
            int b = rows == null ? bAt + bStride * p : bAt + rows[rowAt + p];
            FloatVector b0 = FloatVector.fromArray(S, pb, b);
            FloatVector b1 = FloatVector.fromArray(S, pb, b + L);
            FloatVector x = FloatVector.broadcast(S, PackedPanel.get(pa, a));
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(S, PackedPanel.get(pa, a + 1 * PackedPanel.FLOAT));
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(S, PackedPanel.get(pa, a + 2 * PackedPanel.FLOAT));
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(S, PackedPanel.get(pa, a + 3 * PackedPanel.FLOAT));
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
        }
        c00.intoArray(c, cAt);
        c01.intoArray(c, cAt + L);
        c10.intoArray(c, r1);
        c11.intoArray(c, r1 + L);
        c20.intoArray(c, r2);
        c21.intoArray(c, r2 + L);
        c30.intoArray(c, r3);
        c31.intoArray(c, r3 + L);
    }

    /**
     * The 3×4 dot products of {@link Gemm#multiplyRows}'s tile, sums[i · 4 + j] = Σ_p a[ai + p] · b[bj + p]: per
     * step three loads of A, four of B and twelve fused multiply-adds into vector sums, reduced once at the end.
     */
    @Override
    public void dots(int k, float[] a, int a0, int a1, int a2, float[] b, int b0, int b1, int b2, int b3,
                     float[] sums) {
        // The lanes go to scratch behind the results, from −0 (x + −0 is x for every x), and are added there, in lane
        // order: twelve reduceLanes cost as much as 70 steps of the loop (a 3×4 block of 848-long dots ran 5.1 ns a
        // step with them, 3.0–3.8 without, Temurin 25 and JDK 17, AVX2 Zen 3).
        int at = 12, kv = k - k % L; // no vector call here: this small method may be inlined (KernelShapeTest)
        java.util.Arrays.fill(sums, at, at + 12 * L, -0f);
        dotLanes(kv, a, a0, a1, a2, b, b0, b1, b2, b3, sums, at);
        for (int i = 0; i < 12; i++) {
            float sum = sums[at + i * L];
            for (int lane = 1; lane < L; lane++) {
                sum += sums[at + i * L + lane];
            }
            sums[i] = sum;
        }
        if (kv < k) { // the tail, when k is not a multiple of the vector length
            ScalarKernel.addDots(kv, k, a, a0, a1, a2, b, b0, b1, b2, b3, sums);
        }
    }

    @Override
    public void dotLanes(int k, float[] a, int a0, int a1, int a2, float[] b, int b0, int b1, int b2, int b3,
                         float[] lanes, int at) {
        if (UNROLLED_DOTS) {
            dotLanesUnrolled(k, a, a0, a1, a2, b, b0, b1, b2, b3, lanes, at);
        } else {
            dotLanesStepwise(k, a, a0, a1, a2, b, b0, b1, b2, b3, lanes, at);
        }
    }

    /**
     * Whether {@link #dots} lets C2 unroll its loop: with AVX-512's 32 registers (at any width) the unrolled loop fits
     * them, and LeNet-5's conv1 weight gradient ran 0.25 against 0.29 ms a step (512 bits) and 0.28 against 0.32 (256
     * bits, AVX-512 Zen 5, JDK 17); with AVX2's 16 it spilled.
     */
    private static final boolean UNROLLED_DOTS = VectorSupport.manyRegisters();

    /** {@link #dotLanes} on an int induction variable, which C2 unrolls; the same body as {@link #dotLanesStepwise}. */
    private static void dotLanesUnrolled(int k, float[] a, int a0, int a1, int a2, float[] b, int b0, int b1,
                                         int b2, int b3, float[] lanes, int at) {
        FloatVector s00, s01, s02, s03, s10, s11, s12, s13, s20, s21, s22, s23;
        s00 = s01 = s02 = s03 = s10 = s11 = s12 = s13 = s20 = s21 = s22 = s23 = FloatVector.zero(S);
        int kv = S.loopBound(k);
        // an int induction variable: C2 unrolls the loop and hoists its range checks
        for (int p = 0; p < kv; p += L) {
            FloatVector x0 = FloatVector.fromArray(S, a, a0 + p);
            FloatVector x1 = FloatVector.fromArray(S, a, a1 + p);
            FloatVector x2 = FloatVector.fromArray(S, a, a2 + p);
            FloatVector y = FloatVector.fromArray(S, b, b0 + p);
            s00 = x0.fma(y, s00);
            s10 = x1.fma(y, s10);
            s20 = x2.fma(y, s20);
            y = FloatVector.fromArray(S, b, b1 + p);
            s01 = x0.fma(y, s01);
            s11 = x1.fma(y, s11);
            s21 = x2.fma(y, s21);
            y = FloatVector.fromArray(S, b, b2 + p);
            s02 = x0.fma(y, s02);
            s12 = x1.fma(y, s12);
            s22 = x2.fma(y, s22);
            y = FloatVector.fromArray(S, b, b3 + p);
            s03 = x0.fma(y, s03);
            s13 = x1.fma(y, s13);
            s23 = x2.fma(y, s23);
        }
        s00.add(FloatVector.fromArray(S, lanes, at)).intoArray(lanes, at);
        s01.add(FloatVector.fromArray(S, lanes, at + L)).intoArray(lanes, at + L);
        s02.add(FloatVector.fromArray(S, lanes, at + 2 * L)).intoArray(lanes, at + 2 * L);
        s03.add(FloatVector.fromArray(S, lanes, at + 3 * L)).intoArray(lanes, at + 3 * L);
        s10.add(FloatVector.fromArray(S, lanes, at + 4 * L)).intoArray(lanes, at + 4 * L);
        s11.add(FloatVector.fromArray(S, lanes, at + 5 * L)).intoArray(lanes, at + 5 * L);
        s12.add(FloatVector.fromArray(S, lanes, at + 6 * L)).intoArray(lanes, at + 6 * L);
        s13.add(FloatVector.fromArray(S, lanes, at + 7 * L)).intoArray(lanes, at + 7 * L);
        s20.add(FloatVector.fromArray(S, lanes, at + 8 * L)).intoArray(lanes, at + 8 * L);
        s21.add(FloatVector.fromArray(S, lanes, at + 9 * L)).intoArray(lanes, at + 9 * L);
        s22.add(FloatVector.fromArray(S, lanes, at + 10 * L)).intoArray(lanes, at + 10 * L);
        s23.add(FloatVector.fromArray(S, lanes, at + 11 * L)).intoArray(lanes, at + 11 * L);
    }

    /**
     * {@link #dotLanes} on a long induction variable, which C2 leaves rolled: the body of {@link #dotLanesUnrolled},
     * written twice because C2 decides by the loop's own shape.
     */
    private static void dotLanesStepwise(int k, float[] a, int a0, int a1, int a2, float[] b, int b0, int b1,
                                         int b2, int b3, float[] lanes, int at) {
        FloatVector s00, s01, s02, s03, s10, s11, s12, s13, s20, s21, s22, s23;
        s00 = s01 = s02 = s03 = s10 = s11 = s12 = s13 = s20 = s21 = s22 = s23 = FloatVector.zero(S);
        int kv = S.loopBound(k);
        // A long induction variable keeps C2 from unrolling this loop: unrolled, the twelve sums and their
        // operands no longer fit the sixteen vector registers of AVX2 and spill. (It also keeps the loads' range
        // checks in the loop, which is why 32 registers take the unrolled form.)
        for (long step = 0; step < kv; step += L) {
            int p = (int) step;
            FloatVector x0 = FloatVector.fromArray(S, a, a0 + p);
            FloatVector x1 = FloatVector.fromArray(S, a, a1 + p);
            FloatVector x2 = FloatVector.fromArray(S, a, a2 + p);
            FloatVector y = FloatVector.fromArray(S, b, b0 + p);
            s00 = x0.fma(y, s00);
            s10 = x1.fma(y, s10);
            s20 = x2.fma(y, s20);
            y = FloatVector.fromArray(S, b, b1 + p);
            s01 = x0.fma(y, s01);
            s11 = x1.fma(y, s11);
            s21 = x2.fma(y, s21);
            y = FloatVector.fromArray(S, b, b2 + p);
            s02 = x0.fma(y, s02);
            s12 = x1.fma(y, s12);
            s22 = x2.fma(y, s22);
            y = FloatVector.fromArray(S, b, b3 + p);
            s03 = x0.fma(y, s03);
            s13 = x1.fma(y, s13);
            s23 = x2.fma(y, s23);
        }
        s00.add(FloatVector.fromArray(S, lanes, at)).intoArray(lanes, at);
        s01.add(FloatVector.fromArray(S, lanes, at + L)).intoArray(lanes, at + L);
        s02.add(FloatVector.fromArray(S, lanes, at + 2 * L)).intoArray(lanes, at + 2 * L);
        s03.add(FloatVector.fromArray(S, lanes, at + 3 * L)).intoArray(lanes, at + 3 * L);
        s10.add(FloatVector.fromArray(S, lanes, at + 4 * L)).intoArray(lanes, at + 4 * L);
        s11.add(FloatVector.fromArray(S, lanes, at + 5 * L)).intoArray(lanes, at + 5 * L);
        s12.add(FloatVector.fromArray(S, lanes, at + 6 * L)).intoArray(lanes, at + 6 * L);
        s13.add(FloatVector.fromArray(S, lanes, at + 7 * L)).intoArray(lanes, at + 7 * L);
        s20.add(FloatVector.fromArray(S, lanes, at + 8 * L)).intoArray(lanes, at + 8 * L);
        s21.add(FloatVector.fromArray(S, lanes, at + 9 * L)).intoArray(lanes, at + 9 * L);
        s22.add(FloatVector.fromArray(S, lanes, at + 10 * L)).intoArray(lanes, at + 10 * L);
        s23.add(FloatVector.fromArray(S, lanes, at + 11 * L)).intoArray(lanes, at + 11 * L);
    }

    /**
     * {@link MicroKernel#gatherTile}: the accumulators of {@link #tile}; per step two loads of B, six broadcasts of
     * image values and twelve fused multiply-adds. The image values are plain array reads: one range check for all six
     * and {@link PackedPanel}'s unchecked reads at computed addresses ran slower (LeNet-5's conv2 forward, one thread:
     * 36–39 against 50–58 GFLOP/s on JDK 17, 40–57 against 62–70 on Temurin 25). The rows carry xAt and B's index is
     * computed from the step, not carried beside it: x86 has 13 general registers for the JIT, and each value live in
     * the loop that is not needed there spilled one to the stack (B's range checks, linear in the step, are hoisted).
     */
    @Override
    public void gatherTile(int kc, float[] x, int xAt, int[] rows, int rowAt, int[] steps, int stepAt, float[] pb,
                           int bAt, float[] c, int cAt, int ldc, float[] start, int startAt, int startLd) {
        int q0 = xAt + rows[rowAt], q1 = xAt + rows[rowAt + 1], q2 = xAt + rows[rowAt + 2];
        int q3 = xAt + rows[rowAt + 3], q4 = xAt + rows[rowAt + 4], q5 = xAt + rows[rowAt + 5];
        int r1 = cAt + ldc, r2 = r1 + ldc, r3 = r2 + ldc, r4 = r3 + ldc, r5 = r4 + ldc;
        int s1 = startAt + startLd, s2 = s1 + startLd, s3 = s2 + startLd, s4 = s3 + startLd, s5 = s4 + startLd;
        FloatVector c00 = FloatVector.fromArray(S, start, startAt);
        FloatVector c01 = FloatVector.fromArray(S, start, startAt + L);
        FloatVector c10 = FloatVector.fromArray(S, start, s1);
        FloatVector c11 = FloatVector.fromArray(S, start, s1 + L);
        FloatVector c20 = FloatVector.fromArray(S, start, s2);
        FloatVector c21 = FloatVector.fromArray(S, start, s2 + L);
        FloatVector c30 = FloatVector.fromArray(S, start, s3);
        FloatVector c31 = FloatVector.fromArray(S, start, s3 + L);
        FloatVector c40 = FloatVector.fromArray(S, start, s4);
        FloatVector c41 = FloatVector.fromArray(S, start, s4 + L);
        FloatVector c50 = FloatVector.fromArray(S, start, s5);
        FloatVector c51 = FloatVector.fromArray(S, start, s5 + L);
        for (int p = stepAt, pEnd = stepAt + kc, bBase = bAt - 2 * L * stepAt; p < pEnd; p++) {
            int a = steps[p], b = bBase + 2 * L * p;
            FloatVector b0 = FloatVector.fromArray(S, pb, b);
            FloatVector b1 = FloatVector.fromArray(S, pb, b + L);
            FloatVector v = FloatVector.broadcast(S, x[a + q0]);
            c00 = v.fma(b0, c00);
            c01 = v.fma(b1, c01);
            v = FloatVector.broadcast(S, x[a + q1]);
            c10 = v.fma(b0, c10);
            c11 = v.fma(b1, c11);
            v = FloatVector.broadcast(S, x[a + q2]);
            c20 = v.fma(b0, c20);
            c21 = v.fma(b1, c21);
            v = FloatVector.broadcast(S, x[a + q3]);
            c30 = v.fma(b0, c30);
            c31 = v.fma(b1, c31);
            v = FloatVector.broadcast(S, x[a + q4]);
            c40 = v.fma(b0, c40);
            c41 = v.fma(b1, c41);
            v = FloatVector.broadcast(S, x[a + q5]);
            c50 = v.fma(b0, c50);
            c51 = v.fma(b1, c51);
        }
        c00.intoArray(c, cAt);
        c01.intoArray(c, cAt + L);
        c10.intoArray(c, r1);
        c11.intoArray(c, r1 + L);
        c20.intoArray(c, r2);
        c21.intoArray(c, r2 + L);
        c30.intoArray(c, r3);
        c31.intoArray(c, r3 + L);
        c40.intoArray(c, r4);
        c41.intoArray(c, r4 + L);
        c50.intoArray(c, r5);
        c51.intoArray(c, r5 + L);
    }

    /**
     * {@link MicroKernel#gatherTileNarrow}: twelve accumulators of one vector; per step one load of B, twelve
     * broadcasts of image values and twelve fused multiply-adds, the image values read as {@link #gatherTile} reads
     * them.
     */
    @Override
    public void gatherTileNarrow(int kc, float[] x, int xAt, int[] rows, int rowAt, int[] steps, int stepAt,
                                 float[] pb, int bAt, float[] c, int cAt, int ldc, float[] start, int startAt,
                                 int startLd) {
        int q0 = xAt + rows[rowAt], q1 = xAt + rows[rowAt + 1], q2 = xAt + rows[rowAt + 2];
        int q3 = xAt + rows[rowAt + 3], q4 = xAt + rows[rowAt + 4], q5 = xAt + rows[rowAt + 5];
        int q6 = xAt + rows[rowAt + 6], q7 = xAt + rows[rowAt + 7], q8 = xAt + rows[rowAt + 8];
        int q9 = xAt + rows[rowAt + 9], q10 = xAt + rows[rowAt + 10], q11 = xAt + rows[rowAt + 11];
        FloatVector c0 = FloatVector.fromArray(S, start, startAt);
        FloatVector c1 = FloatVector.fromArray(S, start, startAt + startLd);
        FloatVector c2 = FloatVector.fromArray(S, start, startAt + 2 * startLd);
        FloatVector c3 = FloatVector.fromArray(S, start, startAt + 3 * startLd);
        FloatVector c4 = FloatVector.fromArray(S, start, startAt + 4 * startLd);
        FloatVector c5 = FloatVector.fromArray(S, start, startAt + 5 * startLd);
        FloatVector c6 = FloatVector.fromArray(S, start, startAt + 6 * startLd);
        FloatVector c7 = FloatVector.fromArray(S, start, startAt + 7 * startLd);
        FloatVector c8 = FloatVector.fromArray(S, start, startAt + 8 * startLd);
        FloatVector c9 = FloatVector.fromArray(S, start, startAt + 9 * startLd);
        FloatVector c10 = FloatVector.fromArray(S, start, startAt + 10 * startLd);
        FloatVector c11 = FloatVector.fromArray(S, start, startAt + 11 * startLd);
        for (int p = stepAt, pEnd = stepAt + kc, bBase = bAt - 2 * L * stepAt; p < pEnd; p++) {
            int a = steps[p];
            FloatVector b = FloatVector.fromArray(S, pb, bBase + 2 * L * p);
            c0 = FloatVector.broadcast(S, x[a + q0]).fma(b, c0);
            c1 = FloatVector.broadcast(S, x[a + q1]).fma(b, c1);
            c2 = FloatVector.broadcast(S, x[a + q2]).fma(b, c2);
            c3 = FloatVector.broadcast(S, x[a + q3]).fma(b, c3);
            c4 = FloatVector.broadcast(S, x[a + q4]).fma(b, c4);
            c5 = FloatVector.broadcast(S, x[a + q5]).fma(b, c5);
            c6 = FloatVector.broadcast(S, x[a + q6]).fma(b, c6);
            c7 = FloatVector.broadcast(S, x[a + q7]).fma(b, c7);
            c8 = FloatVector.broadcast(S, x[a + q8]).fma(b, c8);
            c9 = FloatVector.broadcast(S, x[a + q9]).fma(b, c9);
            c10 = FloatVector.broadcast(S, x[a + q10]).fma(b, c10);
            c11 = FloatVector.broadcast(S, x[a + q11]).fma(b, c11);
        }
        c0.intoArray(c, cAt);
        c1.intoArray(c, cAt + ldc);
        c2.intoArray(c, cAt + 2 * ldc);
        c3.intoArray(c, cAt + 3 * ldc);
        c4.intoArray(c, cAt + 4 * ldc);
        c5.intoArray(c, cAt + 5 * ldc);
        c6.intoArray(c, cAt + 6 * ldc);
        c7.intoArray(c, cAt + 7 * ldc);
        c8.intoArray(c, cAt + 8 * ldc);
        c9.intoArray(c, cAt + 9 * ldc);
        c10.intoArray(c, cAt + 10 * ldc);
        c11.intoArray(c, cAt + 11 * ldc);
    }

    /**
     * {@link MicroKernel#kernelRowsTile}: ten sums, per kernel row a window of five broadcast image values that slides
     * one value a position (a new broadcast, four register moves), and the B row: 21 live vectors, which AVX-512 has.
     * Per position two broadcasts and one load for ten fused multiply-adds. The two output rows run one after the
     * other, not as a loop around the positions' loop: with that loop JDK 17's C2 compiled the vectors boxed (6.5 ms
     * a step for LeNet-5's conv2 weight gradient, 0.22 on Temurin 25); one row a call spent a third of its time
     * loading and storing the sums.
     */
    @Override
    public void kernelRowsTile(int outCols, float[] x, int xa, int xb, int xa2, int xb2, int secondCols, float[] pb,
                               int bAt, float[] c, int cAt, int ldc) {
        FloatVector s0 = FloatVector.fromArray(S, c, cAt + 0);
        FloatVector s1 = FloatVector.fromArray(S, c, cAt + ldc);
        FloatVector s2 = FloatVector.fromArray(S, c, cAt + 2 * ldc);
        FloatVector s3 = FloatVector.fromArray(S, c, cAt + 3 * ldc);
        FloatVector s4 = FloatVector.fromArray(S, c, cAt + 4 * ldc);
        FloatVector s5 = FloatVector.fromArray(S, c, cAt + 5 * ldc);
        FloatVector s6 = FloatVector.fromArray(S, c, cAt + 6 * ldc);
        FloatVector s7 = FloatVector.fromArray(S, c, cAt + 7 * ldc);
        FloatVector s8 = FloatVector.fromArray(S, c, cAt + 8 * ldc);
        FloatVector s9 = FloatVector.fromArray(S, c, cAt + 9 * ldc);
        {
            FloatVector a0 = FloatVector.broadcast(S, x[xa]), a1 = FloatVector.broadcast(S, x[xa + 1]);
            FloatVector a2 = FloatVector.broadcast(S, x[xa + 2]), a3 = FloatVector.broadcast(S, x[xa + 3]);
            FloatVector b0 = FloatVector.broadcast(S, x[xb]), b1 = FloatVector.broadcast(S, x[xb + 1]);
            FloatVector b2 = FloatVector.broadcast(S, x[xb + 2]), b3 = FloatVector.broadcast(S, x[xb + 3]);
            for (int j = 0; j < outCols; j++) {
                FloatVector d = FloatVector.fromArray(S, pb, bAt + 2 * L * j);
                FloatVector a4 = FloatVector.broadcast(S, x[xa + j + 4]);
                FloatVector b4 = FloatVector.broadcast(S, x[xb + j + 4]);
                s0 = a0.fma(d, s0);
                s1 = a1.fma(d, s1);
                s2 = a2.fma(d, s2);
                s3 = a3.fma(d, s3);
                s4 = a4.fma(d, s4);
                s5 = b0.fma(d, s5);
                s6 = b1.fma(d, s6);
                s7 = b2.fma(d, s7);
                s8 = b3.fma(d, s8);
                s9 = b4.fma(d, s9);
                a0 = a1;
                a1 = a2;
                a2 = a3;
                a3 = a4;
                b0 = b1;
                b1 = b2;
                b2 = b3;
                b3 = b4;
            }
        }
        {
            FloatVector a0 = FloatVector.broadcast(S, x[xa2]), a1 = FloatVector.broadcast(S, x[xa2 + 1]);
            FloatVector a2 = FloatVector.broadcast(S, x[xa2 + 2]), a3 = FloatVector.broadcast(S, x[xa2 + 3]);
            FloatVector b0 = FloatVector.broadcast(S, x[xb2]), b1 = FloatVector.broadcast(S, x[xb2 + 1]);
            FloatVector b2 = FloatVector.broadcast(S, x[xb2 + 2]), b3 = FloatVector.broadcast(S, x[xb2 + 3]);
            for (int j = 0; j < secondCols; j++) {
                FloatVector d = FloatVector.fromArray(S, pb, bAt + 2 * L * outCols + 2 * L * j);
                FloatVector a4 = FloatVector.broadcast(S, x[xa2 + j + 4]);
                FloatVector b4 = FloatVector.broadcast(S, x[xb2 + j + 4]);
                s0 = a0.fma(d, s0);
                s1 = a1.fma(d, s1);
                s2 = a2.fma(d, s2);
                s3 = a3.fma(d, s3);
                s4 = a4.fma(d, s4);
                s5 = b0.fma(d, s5);
                s6 = b1.fma(d, s6);
                s7 = b2.fma(d, s7);
                s8 = b3.fma(d, s8);
                s9 = b4.fma(d, s9);
                a0 = a1;
                a1 = a2;
                a2 = a3;
                a3 = a4;
                b0 = b1;
                b1 = b2;
                b2 = b3;
                b3 = b4;
            }
        }
        s0.intoArray(c, cAt + 0);
        s1.intoArray(c, cAt + ldc);
        s2.intoArray(c, cAt + 2 * ldc);
        s3.intoArray(c, cAt + 3 * ldc);
        s4.intoArray(c, cAt + 4 * ldc);
        s5.intoArray(c, cAt + 5 * ldc);
        s6.intoArray(c, cAt + 6 * ldc);
        s7.intoArray(c, cAt + 7 * ldc);
        s8.intoArray(c, cAt + 8 * ldc);
        s9.intoArray(c, cAt + 9 * ldc);
    }



    /**
     * {@link MicroKernel#channelTile}: twelve accumulators of L output channels; per step one load of the filters'
     * vector, one range check for the twelve image values it is multiplied with (read unchecked after it, as
     * {@link PackedPanel} does), twelve broadcasts and twelve fused multiply-adds.
     */
    @Override
    public void channelTile(int k, float[] w, int wAt, float[] x, int xAt, int[] taps, float[] out, int outAt) {
        FloatVector a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11;
        a0 = a1 = a2 = a3 = a4 = a5 = a6 = a7 = a8 = a9 = a10 = a11 = FloatVector.zero(S);
        for (int p = 0, wp = wAt; p < k; p++, wp += L) {
            FloatVector v = FloatVector.fromArray(S, w, wp);
            long at = PackedPanel.address(x, xAt + taps[p], MicroKernel.CHANNEL_POSITIONS);
            a0 = FloatVector.broadcast(S, PackedPanel.get(x, at)).fma(v, a0);
            a1 = FloatVector.broadcast(S, PackedPanel.get(x, at + 1 * PackedPanel.FLOAT)).fma(v, a1);
            a2 = FloatVector.broadcast(S, PackedPanel.get(x, at + 2 * PackedPanel.FLOAT)).fma(v, a2);
            a3 = FloatVector.broadcast(S, PackedPanel.get(x, at + 3 * PackedPanel.FLOAT)).fma(v, a3);
            a4 = FloatVector.broadcast(S, PackedPanel.get(x, at + 4 * PackedPanel.FLOAT)).fma(v, a4);
            a5 = FloatVector.broadcast(S, PackedPanel.get(x, at + 5 * PackedPanel.FLOAT)).fma(v, a5);
            a6 = FloatVector.broadcast(S, PackedPanel.get(x, at + 6 * PackedPanel.FLOAT)).fma(v, a6);
            a7 = FloatVector.broadcast(S, PackedPanel.get(x, at + 7 * PackedPanel.FLOAT)).fma(v, a7);
            a8 = FloatVector.broadcast(S, PackedPanel.get(x, at + 8 * PackedPanel.FLOAT)).fma(v, a8);
            a9 = FloatVector.broadcast(S, PackedPanel.get(x, at + 9 * PackedPanel.FLOAT)).fma(v, a9);
            a10 = FloatVector.broadcast(S, PackedPanel.get(x, at + 10 * PackedPanel.FLOAT)).fma(v, a10);
            a11 = FloatVector.broadcast(S, PackedPanel.get(x, at + 11 * PackedPanel.FLOAT)).fma(v, a11);
        }
        a0.intoArray(out, outAt);
        a1.intoArray(out, outAt + L);
        a2.intoArray(out, outAt + 2 * L);
        a3.intoArray(out, outAt + 3 * L);
        a4.intoArray(out, outAt + 4 * L);
        a5.intoArray(out, outAt + 5 * L);
        a6.intoArray(out, outAt + 6 * L);
        a7.intoArray(out, outAt + 7 * L);
        a8.intoArray(out, outAt + 8 * L);
        a9.intoArray(out, outAt + 9 * L);
        a10.intoArray(out, outAt + 10 * L);
        a11.intoArray(out, outAt + 11 * L);
    }

    /**
     * {@link MicroKernel#channelTileRows}: per kernel row, five loads of the filters' vectors, then the sixteen image
     * values 0 to 15 past the row's first tap, each broadcast once and multiplied at once into every position it
     * serves (tap t of position q takes value q + t): sixteen broadcasts for sixty fused multiply-adds. Twelve
     * accumulators, five filter vectors and the value in hand: 18 live vectors. (Kept as sixteen broadcasts beside the
     * accumulators, 29 live, JDK 17's C2 sometimes compiled them boxed.) Each accumulator still takes the taps in
     * order, so the sums are the plain tile's, bit for bit.
     */
    @Override
    public void channelTileRows(int rows, float[] w, int wAt, float[] x, int xAt, int[] rowTaps, float[] out,
                                int outAt) {
        FloatVector a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11;
        a0 = a1 = a2 = a3 = a4 = a5 = a6 = a7 = a8 = a9 = a10 = a11 = FloatVector.zero(S);
        for (int r = 0, wp = wAt; r < rows; r++, wp += ROW_TAPS * L) {
            int at = xAt + rowTaps[r];
            FloatVector w0 = FloatVector.fromArray(S, w, wp);
            FloatVector w1 = FloatVector.fromArray(S, w, wp + L);
            FloatVector w2 = FloatVector.fromArray(S, w, wp + 2 * L);
            FloatVector w3 = FloatVector.fromArray(S, w, wp + 3 * L);
            FloatVector w4 = FloatVector.fromArray(S, w, wp + 4 * L);
            FloatVector v = FloatVector.broadcast(S, x[at]);
            a0 = v.fma(w0, a0);
            v = FloatVector.broadcast(S, x[at + 1]);
            a1 = v.fma(w0, a1);
            a0 = v.fma(w1, a0);
            v = FloatVector.broadcast(S, x[at + 2]);
            a2 = v.fma(w0, a2);
            a1 = v.fma(w1, a1);
            a0 = v.fma(w2, a0);
            v = FloatVector.broadcast(S, x[at + 3]);
            a3 = v.fma(w0, a3);
            a2 = v.fma(w1, a2);
            a1 = v.fma(w2, a1);
            a0 = v.fma(w3, a0);
            v = FloatVector.broadcast(S, x[at + 4]);
            a4 = v.fma(w0, a4);
            a3 = v.fma(w1, a3);
            a2 = v.fma(w2, a2);
            a1 = v.fma(w3, a1);
            a0 = v.fma(w4, a0);
            v = FloatVector.broadcast(S, x[at + 5]);
            a5 = v.fma(w0, a5);
            a4 = v.fma(w1, a4);
            a3 = v.fma(w2, a3);
            a2 = v.fma(w3, a2);
            a1 = v.fma(w4, a1);
            v = FloatVector.broadcast(S, x[at + 6]);
            a6 = v.fma(w0, a6);
            a5 = v.fma(w1, a5);
            a4 = v.fma(w2, a4);
            a3 = v.fma(w3, a3);
            a2 = v.fma(w4, a2);
            v = FloatVector.broadcast(S, x[at + 7]);
            a7 = v.fma(w0, a7);
            a6 = v.fma(w1, a6);
            a5 = v.fma(w2, a5);
            a4 = v.fma(w3, a4);
            a3 = v.fma(w4, a3);
            v = FloatVector.broadcast(S, x[at + 8]);
            a8 = v.fma(w0, a8);
            a7 = v.fma(w1, a7);
            a6 = v.fma(w2, a6);
            a5 = v.fma(w3, a5);
            a4 = v.fma(w4, a4);
            v = FloatVector.broadcast(S, x[at + 9]);
            a9 = v.fma(w0, a9);
            a8 = v.fma(w1, a8);
            a7 = v.fma(w2, a7);
            a6 = v.fma(w3, a6);
            a5 = v.fma(w4, a5);
            v = FloatVector.broadcast(S, x[at + 10]);
            a10 = v.fma(w0, a10);
            a9 = v.fma(w1, a9);
            a8 = v.fma(w2, a8);
            a7 = v.fma(w3, a7);
            a6 = v.fma(w4, a6);
            v = FloatVector.broadcast(S, x[at + 11]);
            a11 = v.fma(w0, a11);
            a10 = v.fma(w1, a10);
            a9 = v.fma(w2, a9);
            a8 = v.fma(w3, a8);
            a7 = v.fma(w4, a7);
            v = FloatVector.broadcast(S, x[at + 12]);
            a11 = v.fma(w1, a11);
            a10 = v.fma(w2, a10);
            a9 = v.fma(w3, a9);
            a8 = v.fma(w4, a8);
            v = FloatVector.broadcast(S, x[at + 13]);
            a11 = v.fma(w2, a11);
            a10 = v.fma(w3, a10);
            a9 = v.fma(w4, a9);
            v = FloatVector.broadcast(S, x[at + 14]);
            a11 = v.fma(w3, a11);
            a10 = v.fma(w4, a10);
            v = FloatVector.broadcast(S, x[at + 15]);
            a11 = v.fma(w4, a11);
        }
        a0.intoArray(out, outAt);
        a1.intoArray(out, outAt + L);
        a2.intoArray(out, outAt + 2 * L);
        a3.intoArray(out, outAt + 3 * L);
        a4.intoArray(out, outAt + 4 * L);
        a5.intoArray(out, outAt + 5 * L);
        a6.intoArray(out, outAt + 6 * L);
        a7.intoArray(out, outAt + 7 * L);
        a8.intoArray(out, outAt + 8 * L);
        a9.intoArray(out, outAt + 9 * L);
        a10.intoArray(out, outAt + 10 * L);
        a11.intoArray(out, outAt + 11 * L);
    }


    /** {@link Gemm}'s packShifted: row p of the panel, two vectors, from src[base + taps[pc + p]]. */
    @Override
    public void packShifted(int kc, float[] src, int base, int[] taps, int pc, float[] dst) {
        for (int p = 0; p < kc; p++) {
            int from = base + taps[pc + p], to = NR * p;
            FloatVector.fromArray(S, src, from).intoArray(dst, to);
            FloatVector.fromArray(S, src, from + L).intoArray(dst, to + L);
        }
    }

    /**
     * {@link MicroKernel#copyRows}: per row, four vectors a step, then two, then vectors up to one that ends at n
     * (overlapping the one before). In place of one System.arraycopy per row: LeNet-5's training step made about 400 such calls
     * of 10 to 28 floats an image (padded copies, dy spread over its grid, copy-outs).
     */
    @Override
    public void copyRows(float[] src, int srcOff, int srcStride, float[] dst, int dstOff, int dstStride, int rows,
                         int n) {
        for (int r = 0, from = srcOff, to = dstOff; r < rows; r++, from += srcStride, to += dstStride) {
            int i = 0;
            for (; i + 4 * L <= n; i += 4 * L) {
                FloatVector v = FloatVector.fromArray(S, src, from + i);
                FloatVector u = FloatVector.fromArray(S, src, from + i + L);
                FloatVector w = FloatVector.fromArray(S, src, from + i + 2 * L);
                FloatVector x = FloatVector.fromArray(S, src, from + i + 3 * L);
                v.intoArray(dst, to + i);
                u.intoArray(dst, to + i + L);
                w.intoArray(dst, to + i + 2 * L);
                x.intoArray(dst, to + i + 3 * L);
            }
            for (; i + 2 * L <= n; i += 2 * L) {
                FloatVector v = FloatVector.fromArray(S, src, from + i);
                FloatVector u = FloatVector.fromArray(S, src, from + i + L);
                v.intoArray(dst, to + i);
                u.intoArray(dst, to + i + L);
            }
            for (i = i < n ? Math.min(i, n - L) : n; i < n; i = Math.min(i + L, n - L)) { // the last ends at n
                FloatVector.fromArray(S, src, from + i).intoArray(dst, to + i);
                if (i == n - L) {
                    break;
                }
            }
        }
    }

    /**
     * {@link MicroKernel#copyOutRows}: per row, four vectors a step, then vectors up to one that ends at n, overlapping
     * the one before (with 8 lanes, rows of 14 and 28 take no scalar tail; the overlapped elements are computed twice,
     * identically, as src and dst never share memory). The ReLU is a floor rather than a branch, and all of it sits in
     * this one method: C2 compiles it alone, so its vector calls never run out of the inlining budget of the generated
     * code that calls it (KernelShapeTest). One call per plane: LeNet-5's conv1 made 168 calls of 28 floats an image.
     */
    @Override
    public void copyOutRows(float[] src, int srcOff, int srcStride, float[] dst, int dstOff, int dstStride, int rows,
                            int n, float bias, float floor) {
        // 0 where v < floor, else v: with floor 0 exactly the scalar ReLU, NaN and −0 included (PyTorch keeps both)
        FloatVector zero = FloatVector.zero(S);
        for (int r = 0, from = srcOff, to = dstOff; r < rows; r++, from += srcStride, to += dstStride) {
            int i = 0;
            for (; i + 4 * L <= n; i += 4 * L) {
                FloatVector v = FloatVector.fromArray(S, src, from + i).add(bias);
                FloatVector u = FloatVector.fromArray(S, src, from + i + L).add(bias);
                FloatVector w = FloatVector.fromArray(S, src, from + i + 2 * L).add(bias);
                FloatVector x = FloatVector.fromArray(S, src, from + i + 3 * L).add(bias);
                v.blend(zero, v.compare(VectorOperators.LT, floor)).intoArray(dst, to + i);
                u.blend(zero, u.compare(VectorOperators.LT, floor)).intoArray(dst, to + i + L);
                w.blend(zero, w.compare(VectorOperators.LT, floor)).intoArray(dst, to + i + 2 * L);
                x.blend(zero, x.compare(VectorOperators.LT, floor)).intoArray(dst, to + i + 3 * L);
            }
            for (i = i < n ? Math.min(i, n - L) : n; i < n; i = Math.min(i + L, n - L)) { // the last ends at n
                FloatVector v = FloatVector.fromArray(S, src, from + i).add(bias);
                v.blend(zero, v.compare(VectorOperators.LT, floor)).intoArray(dst, to + i);
                if (i == n - L) {
                    break;
                }
            }
        }
    }


    /**
     * Twelve independent chains of vector FMAs (acc = x·y + acc, the form of the tile's accumulators) with nothing
     * loaded or stored: the core's peak, for benchmarks.
     */
    /**
     * {@link MicroKernel#sumRuns}: each run summed in vectors (four a step, then two, then one, into four sums), its
     * last floats one at a time, then its lanes added into the scalar total. The vector sums start afresh for every
     * run: carried across the outer loop, JDK 17's C2 kept them on the heap (one allocation per add). Its own loops,
     * larger than what C2 inlines (KernelShapeTest).
     */
    @Override
    public float sumRuns(float[] x, int at, int run, int count, int stride) {
        float sum = 0f;
        int vectors = run / L * L;
        for (int r = 0, i = at; r < count; r++, i += stride) {
            FloatVector s0 = FloatVector.zero(S), s1 = FloatVector.zero(S);
            FloatVector s2 = FloatVector.zero(S), s3 = FloatVector.zero(S);
            int j = i, end = i + vectors;
            for (; j + 4 * L <= end; j += 4 * L) {
                s0 = s0.add(FloatVector.fromArray(S, x, j));
                s1 = s1.add(FloatVector.fromArray(S, x, j + L));
                s2 = s2.add(FloatVector.fromArray(S, x, j + 2 * L));
                s3 = s3.add(FloatVector.fromArray(S, x, j + 3 * L));
            }
            for (; j + 2 * L <= end; j += 2 * L) { // loops, not ifs: JDK 17's C2 boxed vectors merged from branches
                s0 = s0.add(FloatVector.fromArray(S, x, j));
                s1 = s1.add(FloatVector.fromArray(S, x, j + L));
            }
            for (; j < end; j += L) {
                s2 = s2.add(FloatVector.fromArray(S, x, j));
            }
            float tail = 0f;
            for (; j < i + run; j++) {
                tail += x[j];
            }
            sum += s0.add(s1).add(s2.add(s3)).reduceLanes(VectorOperators.ADD) + tail;
        }
        return sum;
    }

    /**
     * {@link MicroKernel#activateChannels}: vectors of channels, four, two (a panel of NR channels) or one a step, the
     * bias and the ReLU as numbers rather than branches ({@link MicroKernel#reluFloor}), larger than what C2
     * inlines (KernelShapeTest).
     */
    @Override
    public void activateChannels(float[] c, int at, int positions, int ldc, int vectors, float[] bias, int biasAt,
                                 int biasStep, float floor) {
        FloatVector zero = FloatVector.zero(S);
        for (int p = 0, row = at; p < positions; p++, row += ldc) {
            int v = 0;
            for (; v + 4 <= vectors; v += 4) {
                FloatVector x = FloatVector.fromArray(S, c, row + v * L)
                        .add(FloatVector.fromArray(S, bias, biasAt + v * biasStep));
                FloatVector y = FloatVector.fromArray(S, c, row + v * L + L)
                        .add(FloatVector.fromArray(S, bias, biasAt + (v + 1) * biasStep));
                FloatVector z = FloatVector.fromArray(S, c, row + v * L + 2 * L)
                        .add(FloatVector.fromArray(S, bias, biasAt + (v + 2) * biasStep));
                FloatVector u = FloatVector.fromArray(S, c, row + v * L + 3 * L)
                        .add(FloatVector.fromArray(S, bias, biasAt + (v + 3) * biasStep));
                x.blend(zero, x.compare(VectorOperators.LT, floor)).intoArray(c, row + v * L);
                y.blend(zero, y.compare(VectorOperators.LT, floor)).intoArray(c, row + v * L + L);
                z.blend(zero, z.compare(VectorOperators.LT, floor)).intoArray(c, row + v * L + 2 * L);
                u.blend(zero, u.compare(VectorOperators.LT, floor)).intoArray(c, row + v * L + 3 * L);
            }
            for (; v + 2 <= vectors; v += 2) {
                FloatVector x = FloatVector.fromArray(S, c, row + v * L)
                        .add(FloatVector.fromArray(S, bias, biasAt + v * biasStep));
                FloatVector y = FloatVector.fromArray(S, c, row + v * L + L)
                        .add(FloatVector.fromArray(S, bias, biasAt + (v + 1) * biasStep));
                x.blend(zero, x.compare(VectorOperators.LT, floor)).intoArray(c, row + v * L);
                y.blend(zero, y.compare(VectorOperators.LT, floor)).intoArray(c, row + v * L + L);
            }
            for (; v < vectors; v++) {
                FloatVector x = FloatVector.fromArray(S, c, row + v * L)
                        .add(FloatVector.fromArray(S, bias, biasAt + v * biasStep));
                x.blend(zero, x.compare(VectorOperators.LT, floor)).intoArray(c, row + v * L);
            }
        }
    }

    @Override
    public float fmaChains(int iterations) {
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
