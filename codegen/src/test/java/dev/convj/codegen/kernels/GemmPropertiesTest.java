package dev.convj.codegen.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

/**
 * The packed GEMM equals a naive double-precision product for random sizes (edges of every tile shape), both
 * transpositions, accumulation, offsets and leading dimensions larger than the matrix; with B prepacked, and
 * with B read in place through tap offsets (implicit im2col), also skipping the rows outside each column's band
 * (banded: a transposed convolution's padding rows); the dot products of rows placed by a table (weight
 * gradients read in place), B read in place with overlapping rows (tap-wise weight gradients), and the vectorized
 * copy-out with bias and ReLU. The build runs this class three times: with the Vector API micro-kernel, with
 * -Dconvj.vector=false and with -Dconvj.uncheckedReads=false.
 */
class GemmPropertiesTest {

    record Case(int m, int n, int k, boolean transA, boolean transB, boolean accumulate, int pad, long seed) {}

    // k up to 1000 so that both block depths split K: 384 for packed GEMMs, 768 for the implicit one
    private static final Gen<Case> CASES = in -> new Case(integers().between(1, 70).generate(in),
            integers().between(1, 70).generate(in), integers().between(1, 1000).generate(in),
            integers().between(0, 1).generate(in) == 1, integers().between(0, 1).generate(in) == 1,
            integers().between(0, 1).generate(in) == 1, integers().between(0, 3).generate(in),
            integers().between(0, 1 << 20).generate(in));

    @Test
    void theKernelFollowsTheSwitch() {
        boolean off = "false".equals(System.getProperty("convj.vector"));
        boolean present = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
        assertTrue(VectorSupport.AVAILABLE == (present && !off), "Vector API kernel in use: " + VectorSupport.AVAILABLE);
        assertEquals(KernelChoice.vectorBits(), Gemm.KERNEL.vectorBits());
        assertEquals(Gemm.NR, Gemm.KERNEL.columns());
        if (!VectorSupport.AVAILABLE) {
            assertEquals(0, KernelChoice.vectorBits());
            assertEquals(16, Gemm.NR);
        }
    }

    @Test
    void panelReadsFollowTheSwitch() {
        // HotSpot has Unsafe: the reads are unchecked exactly when the policy allows them (the build runs this test
        // with and without -Dconvj.uncheckedReads=false)
        boolean allowed = PackedPanel.allowed(System.getProperty("convj.uncheckedReads"), Runtime.version().feature(),
                System.getProperty("sun.misc.unsafe.memory.access"));
        assertEquals(allowed, PackedPanel.UNCHECKED, "unchecked panel reads: " + PackedPanel.UNCHECKED);
        float[] panel = {1f, 2f, 3f, 4f};
        long at = PackedPanel.address(panel, 1, 3);
        assertEquals(3f, PackedPanel.get(panel, at + PackedPanel.FLOAT));
        assertThrows(IndexOutOfBoundsException.class, () -> PackedPanel.address(panel, 2, 3));
        assertThrows(IndexOutOfBoundsException.class, () -> PackedPanel.address(panel, -1, 2));
    }

    @Test
    void aPanelTooShortForTheKernelIsRefusedBeforeAnyRead() {
        assumeTrue(VectorSupport.AVAILABLE);
        for (int bits : new int[] {512, 256, 128}) {
            MicroKernel k = KernelTrial.kernelOf(bits);
            int kc = 10, nr = k.columns();
            float[] packedA = new float[6 * kc - 1], b = new float[nr * kc], c = new float[6 * nr];
            assertThrows(IndexOutOfBoundsException.class, () -> k.tile(kc, packedA, 0, b, 0, nr, c, 0, nr,
                    MicroKernel.ZEROS, 0, 0));
            assertThrows(IndexOutOfBoundsException.class,
                    () -> k.tile4(kc, packedA, 6, b, 0, nr, null, 0, c, 0, nr, MicroKernel.ZEROS, 0, 0));
        }
    }

    /**
     * Every width's kernels (whichever this host compiles: the others still run, boxed) against the plain-Java
     * kernel, which computes each element with the same products in the same order: equal up to FMA rounding.
     */
    @Test
    void everyVectorWidthComputesWhatThePlainKernelComputes() {
        assumeTrue(VectorSupport.AVAILABLE);
        Random r = new Random(5);
        for (int bits : new int[] {512, 256, 128}) {
            MicroKernel k = KernelTrial.kernelOf(bits);
            assertEquals(bits, k.vectorBits());
            int nr = k.columns(), kc = 37;
            assertEquals(2 * bits / 32, nr);
            float[] pa = random(r, 6 * kc), pb = random(r, (kc + 2) * nr + 64), start = random(r, 6 * nr);
            int[] rows = new int[kc];
            for (int p = 0; p < kc; p++) {
                rows[p] = (p * 7919) % (kc * nr); // scattered rows, as a convolution's tap table
            }
            for (boolean add : new boolean[] {false, true}) {
                float[] expected = start.clone(), actual = start.clone();
                naiveTile(6, nr, kc, pa, pb, 3, nr + 1, null, expected, add);
                k.tile(kc, pa, 0, pb, 3, nr + 1, actual, 0, nr, add ? actual : MicroKernel.ZEROS, 0,
                        add ? nr : 0);
                assertClose(expected, actual, kc, bits + "-bit tile");
                expected = start.clone();
                actual = start.clone();
                naiveTile(6, nr, kc, pa, pb, 3, 0, rows, expected, add);
                k.tileAt(kc, pa, 0, pb, 3, rows, 0, actual, 0, nr, add ? actual : MicroKernel.ZEROS, 0,
                        add ? nr : 0);
                assertClose(expected, actual, kc, bits + "-bit tileAt");
                expected = start.clone();
                actual = start.clone();
                naiveTile(4, nr, kc, pa, pb, 3, 0, rows, expected, add);
                k.tile4(kc, pa, 0, pb, 3, 0, rows, 0, actual, 0, nr, add ? actual : MicroKernel.ZEROS, 0,
                        add ? nr : 0);
                assertClose(expected, actual, kc, bits + "-bit tile4");
                // A read in place, its steps 9 floats apart (6 read, 3 skipped)
                float[] spread = random(r, (kc - 1) * 9 + 6), packedCopy = new float[6 * kc];
                for (int p = 0; p < kc; p++) {
                    System.arraycopy(spread, p * 9, packedCopy, p * 6, 6);
                }
                expected = start.clone();
                actual = start.clone();
                naiveTile(6, nr, kc, packedCopy, pb, 3, nr + 1, null, expected, add);
                k.tileUnpackedA(kc, spread, 0, 9, pb, 3, nr + 1, actual, 0, nr, add ? actual : MicroKernel.ZEROS, 0,
                        add ? nr : 0);
                assertClose(expected, actual, kc, bits + "-bit tileUnpackedA");
                // two panels stacked: the second 7 floats past the first's end, C's rows 12 apart
                float[] pa2 = random(r, 6 * kc), both = new float[12 * kc + 7];
                System.arraycopy(pa, 0, both, 0, 6 * kc);
                System.arraycopy(pa2, 0, both, 6 * kc + 7, 6 * kc);
                float[] top = start.clone(), bottom = random(r, 6 * nr);
                float[] twelve = new float[12 * nr];
                System.arraycopy(top, 0, twelve, 0, 6 * nr);
                System.arraycopy(bottom, 0, twelve, 6 * nr, 6 * nr);
                for (int[] table : new int[][] {null, rows}) {
                    float[] up = top.clone(), down = bottom.clone(), got = twelve.clone();
                    naiveTile(6, nr, kc, pa, pb, 3, nr + 1, table, up, add);
                    naiveTile(6, nr, kc, pa2, pb, 3, nr + 1, table, down, add);
                    if (table == null) {
                        k.tile2(kc, both, 0, 6 * kc + 7, pb, 3, nr + 1, got, 0, nr, add ? got : MicroKernel.ZEROS, 0,
                                add ? nr : 0);
                    } else {
                        k.tileAt2(kc, both, 0, 6 * kc + 7, pb, 3, table, 0, got, 0, nr, add ? got : MicroKernel.ZEROS, 0,
                                add ? nr : 0);
                    }
                    String what = bits + "-bit " + (table == null ? "tile2" : "tileAt2");
                    assertClose(up, java.util.Arrays.copyOfRange(got, 0, 6 * nr), kc, what + ", first panel");
                    assertClose(down, java.util.Arrays.copyOfRange(got, 6 * nr, 12 * nr), kc, what + ", second panel");
                }
            }
            float[] sums = new float[MicroKernel.DOTS_FLOATS], plain = new float[MicroKernel.DOTS_FLOATS];
            k.dots(kc, pb, 0, 40, 80, pb, 120, 160, 200, 240, sums);
            ScalarKernel.INSTANCE.dots(kc, pb, 0, 40, 80, pb, 120, 160, 200, 240, plain);
            assertClose(java.util.Arrays.copyOf(plain, 12), java.util.Arrays.copyOf(sums, 12), kc, bits + "-bit dots");
            // the same dot products left in lanes, twice over (the lanes add up), whole vectors of k
            int lanes = nr / 2, kv = kc - kc % lanes;
            float[] inLanes = new float[3 + 12 * lanes];
            k.dotLanes(kv, pb, 0, 40, 80, pb, 120, 160, 200, 240, inLanes, 3);
            k.dotLanes(kv, pb, 0, 40, 80, pb, 120, 160, 200, 240, inLanes, 3);
            ScalarKernel.INSTANCE.dots(kv, pb, 0, 40, 80, pb, 120, 160, 200, 240, plain);
            float[] laneSums = new float[12];
            for (int s = 0; s < 12; s++) {
                for (int l = 0; l < lanes; l++) {
                    laneSums[s] += inLanes[3 + s * lanes + l] / 2;
                }
            }
            assertClose(java.util.Arrays.copyOf(plain, 12), laneSums, kv, bits + "-bit dotLanes");
            float[] panel = new float[kc * nr];
            k.packShifted(kc, pb, 3, rows, 0, panel);
            for (int p = 0; p < kc; p++) {
                for (int j = 0; j < nr; j++) {
                    assertEquals(pb[3 + rows[p] + j], panel[p * nr + j]);
                }
            }
        }
    }

    /**
     * The tiles' sums start from any rows the caller names: here a separate array, its rows nr + 5 apart from
     * offset 2, which the kernels must read (not C, not zeros) and leave alone.
     */
    @Test
    void tilesStartFromTheRowsTheCallerNames() {
        assumeTrue(VectorSupport.AVAILABLE);
        Random r = new Random(11);
        for (int bits : new int[] {512, 256, 128}) {
            MicroKernel k = KernelTrial.kernelOf(bits);
            int nr = k.columns(), kc = 13, ld = nr + 5;
            float[] pa = random(r, 12 * kc), pb = random(r, kc * nr), from = random(r, 2 + 12 * ld);
            float[] fromCopy = from.clone();
            float[] expected = new float[12 * nr];
            for (int i = 0; i < 12; i++) {
                System.arraycopy(from, 2 + i * ld, expected, i * nr, nr);
            }
            float[] top = java.util.Arrays.copyOf(expected, 6 * nr);
            naiveTile(6, nr, kc, pa, pb, 0, nr, null, top, true);
            float[] c = new float[12 * nr];
            k.tile(kc, pa, 0, pb, 0, nr, c, 0, nr, from, 2, ld);
            assertClose(top, java.util.Arrays.copyOf(c, 6 * nr), kc, bits + "-bit tile from other rows");
            java.util.Arrays.fill(c, Float.NaN);
            k.tile4(kc, pa, 0, pb, 0, nr, null, 0, c, 0, nr, from, 2, ld);
            naiveTile(4, nr, kc, pa, pb, 0, nr, null, expected, true);
            assertClose(java.util.Arrays.copyOf(expected, 4 * nr), java.util.Arrays.copyOf(c, 4 * nr), kc,
                    bits + "-bit tile4 from other rows");
            float[] bottomStart = java.util.Arrays.copyOfRange(expected, 6 * nr, 12 * nr);
            float[] bottomPanel = java.util.Arrays.copyOfRange(pa, 6 * kc, 12 * kc);
            naiveTile(6, nr, kc, bottomPanel, pb, 0, nr, null, bottomStart, true);
            java.util.Arrays.fill(c, Float.NaN);
            k.tile2(kc, pa, 0, 6 * kc, pb, 0, nr, c, 0, nr, from, 2, ld);
            assertClose(top, java.util.Arrays.copyOf(c, 6 * nr), kc, bits + "-bit tile2 from other rows, top");
            assertClose(bottomStart, java.util.Arrays.copyOfRange(c, 6 * nr, 12 * nr), kc,
                    bits + "-bit tile2 from other rows, bottom");
            assertArrayEquals(fromCopy, from, bits + "-bit tiles left their start rows alone");
        }
    }

    /**
     * A plane's rows copied out of a padded grid in one call, bit for bit, and + bias, ReLU'd as PyTorch does (NaN
     * and −0 kept), by every width and by Gemm (rows shorter than a vector included); nothing outside the rows
     * written.
     */
    @Test
    void copyRowsAndCopyOutRowsMoveEachRowExactly() {
        assumeTrue(VectorSupport.AVAILABLE);
        Random r = new Random(13);
        for (int n : new int[] {3, 8, 11, 16, 28, 37, 70}) {
            int rows = 4, srcStride = n + 2, dstStride = n + 1;
            float[] src = random(r, 5 + rows * srcStride);
            src[5] = Float.NaN;
            src[6 % src.length] = -0f;
            for (boolean relu : new boolean[] {false, true}) {
                float bias = relu ? 0.125f : -0.25f;
                float[] expected = new float[3 + rows * dstStride];
                java.util.Arrays.fill(expected, 7f);
                for (int row = 0; row < rows; row++) {
                    for (int i = 0; i < n; i++) {
                        float v = src[5 + row * srcStride + i] + bias;
                        expected[3 + row * dstStride + i] = relu && v < 0f ? 0f : v;
                    }
                }
                float[] copied = new float[expected.length], copiedExpected = new float[expected.length];
                java.util.Arrays.fill(copied, 7f);
                java.util.Arrays.fill(copiedExpected, 7f);
                for (int row = 0; row < rows; row++) {
                    System.arraycopy(src, 5 + row * srcStride, copiedExpected, 3 + row * dstStride, n);
                }
                Gemm.copyRows(src, 5, srcStride, copied, 3, dstStride, rows, n);
                assertArrayEquals(copiedExpected, copied, "Gemm.copyRows, n " + n);
                for (int bits : new int[] {512, 256, 128}) {
                    if (n >= bits / 32) {
                        java.util.Arrays.fill(copied, 7f);
                        KernelTrial.kernelOf(bits).copyRows(src, 5, srcStride, copied, 3, dstStride, rows, n);
                        assertArrayEquals(copiedExpected, copied, bits + "-bit copyRows, n " + n);
                    }
                }
                float[] viaGemm = new float[expected.length];
                java.util.Arrays.fill(viaGemm, 7f);
                Gemm.copyOutRows(src, 5, srcStride, viaGemm, 3, dstStride, rows, n, bias, relu);
                assertArrayEquals(expected, viaGemm, "Gemm.copyOutRows, n " + n + ", relu " + relu);
                for (int bits : new int[] {512, 256, 128}) {
                    MicroKernel k = KernelTrial.kernelOf(bits);
                    if (n < bits / 32) {
                        continue;
                    }
                    float[] got = new float[expected.length];
                    java.util.Arrays.fill(got, 7f);
                    k.copyOutRows(src, 5, srcStride, got, 3, dstStride, rows, n, bias, MicroKernel.reluFloor(relu));
                    assertArrayEquals(expected, got, bits + "-bit copyOutRows, n " + n + ", relu " + relu);
                }
            }
        }
    }

    private static void naiveTile(int mr, int nr, int kc, float[] pa, float[] pb, int bAt, int bStride, int[] rows,
                                  float[] c, boolean add) {
        for (int i = 0; i < mr; i++) {
            for (int j = 0; j < nr; j++) {
                double sum = add ? c[i * nr + j] : 0;
                for (int p = 0; p < kc; p++) {
                    sum += (double) pa[p * Gemm.MR + i] * pb[bAt + (rows == null ? p * bStride : rows[p]) + j];
                }
                c[i * nr + j] = (float) sum;
            }
        }
    }

    private static void assertClose(float[] expected, float[] actual, int k, String what) {
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], 1e-6 * k * (1 + Math.abs(expected[i])), what + " at " + i);
        }
    }

    /**
     * packTransposedColumns writes what packTransposedPanels writes in B's columns, for any k (four rows at a time
     * and the rest) and n (whole panels and a part), and leaves the panels' columns past n as they were.
     */
    @Test
    void packTransposedColumnsWritesTheColumnsOfBOnly() {
        qt().withFixedSeed(41).withExamples(200).forAll(integers().between(1, 70), integers().between(1, 3 * Gemm.NR),
                integers().between(0, 9)).checkAssert((k, n, bOff) -> {
            Random r = new Random(k * 1000L + n);
            int ldb = k + r.nextInt(3), panels = (n + Gemm.NR - 1) / Gemm.NR, size = panels * k * Gemm.NR;
            float[] b = new float[bOff + n * ldb];
            for (int i = 0; i < b.length; i++) {
                b[i] = r.nextFloat() - 0.5f;
            }
            float[] expected = new float[size + 3], actual = new float[size + 3];
            Gemm.packTransposedPanels(k, n, b, bOff, ldb, 0, panels, expected, 3);
            java.util.Arrays.fill(actual, Float.NaN);
            Gemm.packTransposedColumns(k, n, b, bOff, ldb, actual, 3);
            for (int i = 0; i < actual.length; i++) {
                int column = i < 3 ? -1 : (i - 3) / (k * Gemm.NR) * Gemm.NR + (i - 3) % Gemm.NR;
                if (column >= 0 && column < n) {
                    assertEquals(expected[i], actual[i], "k " + k + ", n " + n + ", float " + i);
                } else {
                    assertTrue(Float.isNaN(actual[i]), "k " + k + ", n " + n + ": float " + i + " is no column of B");
                }
            }
        });
    }

    @Test
    void multiplyEqualsTheNaiveProduct() {
        Gemm.Workspace ws = new Gemm.Workspace();
        qt().withFixedSeed(21).withExamples(120).forAll(CASES).checkAssert(c -> {
            Random r = new Random(c.seed());
            int aRows = c.transA() ? c.k() : c.m(), aCols = c.transA() ? c.m() : c.k();
            int bRows = c.transB() ? c.n() : c.k(), bCols = c.transB() ? c.k() : c.n();
            int lda = aCols + c.pad(), ldb = bCols + c.pad(), ldc = c.n() + c.pad();
            float[] a = random(r, 5 + aRows * lda), b = random(r, 3 + bRows * ldb), cm = random(r, 7 + c.m() * ldc);
            float[] before = cm.clone();
            Gemm.multiply(c.transA(), c.transB(), c.m(), c.n(), c.k(), a, 5, lda, b, 3, ldb, cm, 7, ldc,
                    c.accumulate(), ws);
            for (int i = 0; i < c.m(); i++) {
                for (int j = 0; j < c.n(); j++) {
                    double s = c.accumulate() ? before[7 + i * ldc + j] : 0;
                    for (int p = 0; p < c.k(); p++) {
                        s += (double) (c.transA() ? a[5 + p * lda + i] : a[5 + i * lda + p])
                                * (c.transB() ? b[3 + j * ldb + p] : b[3 + p * ldb + j]);
                    }
                    float got = cm[7 + i * ldc + j];
                    assertTrue(Math.abs(got - s) <= 1e-4 * Math.sqrt(c.k()) + 1e-6, c + " at " + i + "," + j + ": " + got
                            + " vs " + s);
                }
                // Nothing outside the m×n block of C is touched.
                for (int j = c.n(); j < ldc; j++) {
                    assertTrue(cm[7 + i * ldc + j] == before[7 + i * ldc + j], c + " wrote past column n");
                }
            }
        });
    }

    /**
     * Aᵀ with at most four column panels is read in place, six rows a tile: a short last tile reads past row m (into
     * the padding columns, NaN here) and must drop those rows; with no room for those reads A is packed.
     */
    @Test
    void aTransposedAReadInPlaceDropsTheRowsPastM() {
        Gemm.Workspace ws = new Gemm.Workspace();
        qt().withFixedSeed(31).withExamples(100).forAll(CASES).checkAssert(c -> {
            Random r = new Random(c.seed());
            int m = c.m(), n = Math.min(c.n(), 4 * Gemm.NR), k = c.k(), lda = m + c.pad(), ldc = n + c.pad();
            int tail = c.accumulate() ? Gemm.MR : 0; // without a tail the last tile's reads do not fit: packed
            float[] a = new float[5 + k * lda + tail];
            java.util.Arrays.fill(a, Float.NaN);
            for (int p = 0; p < k; p++) {
                for (int i = 0; i < m; i++) {
                    a[5 + p * lda + i] = r.nextFloat() * 2 - 1;
                }
            }
            float[] b = random(r, 3 + k * n), cm = random(r, 7 + m * ldc), before = cm.clone();
            Gemm.multiply(true, false, m, n, k, a, 5, lda, b, 3, n, cm, 7, ldc, c.accumulate(), ws);
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double s = c.accumulate() ? before[7 + i * ldc + j] : 0;
                    for (int p = 0; p < k; p++) {
                        s += (double) a[5 + p * lda + i] * b[3 + p * n + j];
                    }
                    float got = cm[7 + i * ldc + j];
                    assertTrue(Math.abs(got - s) <= 1e-4 * Math.sqrt(k) + 1e-6, c + " at " + i + "," + j + ": " + got
                            + " vs " + s);
                }
                for (int j = n; j < ldc; j++) {
                    assertTrue(cm[7 + i * ldc + j] == before[7 + i * ldc + j], c + " wrote past column n");
                }
            }
        });
    }

    @Test
    void multiplyPackedEqualsMultiply() {
        Gemm.Workspace ws = new Gemm.Workspace();
        qt().withFixedSeed(22).withExamples(60).forAll(CASES).checkAssert(c -> {
            Random r = new Random(c.seed());
            float[] a = random(r, c.m() * c.k()), b = random(r, c.k() * c.n());
            float[] packed = new float[Gemm.packedSize(c.k(), c.n())];
            for (int p = 0; p < c.k(); p++) {
                for (int j = 0; j < c.n(); j++) {
                    packed[j / Gemm.NR * c.k() * Gemm.NR + p * Gemm.NR + j % Gemm.NR] = b[p * c.n() + j];
                }
            }
            float[] expected = new float[c.m() * c.n()], got = new float[c.m() * c.n()];
            Gemm.multiply(false, false, c.m(), c.n(), c.k(), a, 0, c.k(), b, 0, c.n(), expected, 0, c.n(), false, ws);
            Gemm.multiplyPacked(false, c.m(), c.n(), c.k(), a, 0, c.k(), packed, 0, got, 0, c.n(), false, ws);
            for (int i = 0; i < got.length; i++) {
                assertTrue(Math.abs(got[i] - expected[i]) <= 1e-5 * Math.sqrt(c.k()), c + " at " + i);
            }
        });
    }

    @Test
    void multiplyImplicitReadsTheColumnMatrixThroughTapOffsets() {
        // B[p][j] = src[off + taps[p] + j] for random (unsorted, repeating) taps: the column matrix of a stride-1
        // convolution read in place. src ends NR − 1 floats after the furthest element read, as callers guarantee.
        Gemm.Workspace ws = new Gemm.Workspace();
        qt().withFixedSeed(23).withExamples(80).forAll(CASES).checkAssert(c -> {
            Random r = new Random(c.seed());
            int[] taps = new int[c.k()];
            int maxTap = 0;
            for (int p = 0; p < c.k(); p++) {
                taps[p] = r.nextInt(3 * c.n() + 1);
                maxTap = Math.max(maxTap, taps[p]);
            }
            int off = c.pad(), ldc = c.n() + c.pad();
            float[] a = random(r, c.m() * c.k());
            float[] src = random(r, off + maxTap + (c.n() + Gemm.NR - 1) / Gemm.NR * Gemm.NR);
            float[] cm = random(r, c.m() * ldc), before = cm.clone();
            float[] packedA = random(r, 3 + Gemm.packedASize(c.m(), c.k()));
            Gemm.packA(c.m(), c.k(), a, 0, c.k(), packedA, 3);
            Gemm.multiplyImplicit(c.m(), c.n(), c.k(), packedA, 3, src, off, taps, cm, 0, ldc, c.accumulate(), ws);
            assertProduct(c, a, (p, j) -> src[off + taps[p] + j], cm, before, ldc);
        });
    }

    @Test
    void multiplyImplicitBandedEqualsTheProductWithItsZeroRows() {
        // Column j lies in grid row j / rowLength, which sees only B's rows [from, to) of a random band (possibly
        // empty); B is zero elsewhere, as a transposed convolution's padded dy is, and C must equal A·B. Row p of B
        // reads its own stretch of src, so zeroing it there zeroes only B[p][j].
        Gemm.Workspace ws = new Gemm.Workspace();
        qt().withFixedSeed(27).withExamples(80).forAll(CASES).checkAssert(c -> {
            Random r = new Random(c.seed());
            int k = Math.min(c.k(), Gemm.KC_IMPLICIT), rowLength = 1 + r.nextInt(40);
            int gridRows = (c.n() + rowLength - 1) / rowLength, stretch = c.n() + Gemm.NR;
            int[] from = new int[gridRows], to = new int[gridRows], taps = new int[k];
            for (int i = 0; i < gridRows; i++) {
                int x = r.nextInt(k + 1), y = r.nextInt(k + 1);
                boolean empty = r.nextInt(8) == 0;
                from[i] = empty ? k : Math.min(x, y);
                to[i] = empty ? 0 : Math.max(x, y);
            }
            for (int p = 0; p < k; p++) {
                taps[p] = p * stretch;
            }
            int off = c.pad(), ldc = c.n() + c.pad();
            float[] src = random(r, off + k * stretch);
            for (int p = 0; p < k; p++) {
                for (int j = 0; j < c.n(); j++) {
                    int row = j / rowLength;
                    if (p < from[row] || p >= to[row]) {
                        src[off + taps[p] + j] = 0f;
                    }
                }
            }
            float[] a = random(r, c.m() * k), cm = random(r, c.m() * ldc), before = cm.clone();
            float[] packedA = random(r, 3 + Gemm.packedASize(c.m(), k));
            Gemm.packA(c.m(), k, a, 0, k, packedA, 3);
            Gemm.multiplyImplicitBanded(c.m(), c.n(), k, packedA, 3, src, off, taps, rowLength, from, to, cm, 0, ldc,
                    ws);
            Case overwrite = new Case(c.m(), c.n(), k, false, false, false, c.pad(), c.seed());
            assertProduct(overwrite, a, (p, j) -> src[off + taps[p] + j], cm, before, ldc);
        });
    }

    /** B's element (row p, column j). */
    private interface Element {
        float at(int p, int j);
    }

    /**
     * C (m rows of ldc, A row-major m×k) equals the double-precision A·B, plus C's old value when accumulating;
     * columns n to ldc keep their old values.
     */
    private static void assertProduct(Case c, float[] a, Element b, float[] cm, float[] before, int ldc) {
        for (int i = 0; i < c.m(); i++) {
            for (int j = 0; j < ldc; j++) {
                if (j >= c.n()) {
                    assertTrue(cm[i * ldc + j] == before[i * ldc + j], c + " wrote past column n");
                    continue;
                }
                double s = c.accumulate() ? before[i * ldc + j] : 0;
                for (int p = 0; p < c.k(); p++) {
                    s += (double) a[i * c.k() + p] * b.at(p, j);
                }
                float got = cm[i * ldc + j];
                assertTrue(Math.abs(got - s) <= 1e-4 * Math.sqrt(c.k()) + 1e-6, c + " at " + i + "," + j);
            }
        }
    }

    @Test
    void multiplyStridedReadsBInPlaceWithOverlappingRows() {
        // B[p][j] = b[off + p · ldb + j] with ldb from 1 to n + 3: rows that overlap (a channels-last image read at
        // a tap's shift, ldb = channels), whole and partial panels, A packed once; nothing past n is written.
        Gemm.Workspace ws = new Gemm.Workspace();
        qt().withFixedSeed(29).withExamples(80).forAll(CASES).checkAssert(c -> {
            Random r = new Random(c.seed());
            int ldb = 1 + r.nextInt(c.n() + 3), off = c.pad(), ldc = c.n() + c.pad();
            float[] a = random(r, c.m() * c.k());
            // the array ends with B's last element: whole panels must not read past it, partial ones are copied
            float[] b = random(r, off + (c.k() - 1) * ldb + c.n());
            float[] cm = random(r, c.m() * ldc), before = cm.clone();
            float[] packedA = random(r, 3 + Gemm.packedASize(c.m(), c.k()));
            Gemm.packA(c.m(), c.k(), a, 0, c.k(), packedA, 3);
            Gemm.multiplyStrided(c.m(), c.n(), c.k(), packedA, 3, b, off, ldb, cm, 0, ldc, c.accumulate(), ws);
            assertProduct(c, a, (p, j) -> b[off + p * ldb + j], cm, before, ldc);
        });
    }

    /** Random, unsorted, repeating offsets of B's rows for multiplyRows: one per column of C. */
    private static int[] rowTable(Random r, Case c) {
        int[] rows = new int[c.n()];
        for (int j = 0; j < c.n(); j++) {
            rows[j] = r.nextInt(2 * c.k() + 1);
        }
        return rows;
    }

    @Test
    void multiplyRowsAddsDotProductsOfRowsPlacedByATable() {
        // C[i][j] += Σ_p A[aOff + i·lda + p] · B[bOff + rows[j] + p]: a weight gradient read in place. Random
        // (unsorted, repeating) row offsets; m, n off the 3×4 tile; k off the vector length (the scalar tail).
        Gemm.Workspace ws = new Gemm.Workspace();
        qt().withFixedSeed(24).withExamples(80).forAll(CASES).checkAssert(c -> {
            Random r = new Random(c.seed());
            int[] rows = rowTable(r, c);
            int maxRow = java.util.Arrays.stream(rows).max().orElse(0);
            int lda = c.k() + c.pad(), ldc = c.n() + c.pad();
            float[] a = random(r, 5 + c.m() * lda), b = random(r, 2 + maxRow + c.k());
            float[] cm = random(r, c.m() * ldc), before = cm.clone();
            Gemm.multiplyRows(c.m(), c.n(), c.k(), a, 5, lda, b, 2, rows, cm, 0, ldc, ws);
            for (int i = 0; i < c.m(); i++) {
                for (int j = 0; j < ldc; j++) {
                    if (j >= c.n()) {
                        assertTrue(cm[i * ldc + j] == before[i * ldc + j], c + " wrote past column n");
                        continue;
                    }
                    double s = before[i * ldc + j];
                    for (int p = 0; p < c.k(); p++) {
                        s += (double) a[5 + i * lda + p] * b[2 + rows[j] + p];
                    }
                    assertTrue(Math.abs(cm[i * ldc + j] - s) <= 1e-4 * Math.sqrt(c.k()) + 1e-6, c + " at " + i + "," + j);
                }
            }
        });
    }

    @Test
    void dotProductsKeptInLanesOverManyCallsSumToTheDotProducts() {
        // three "images" of multiplyRowsInLanes into one set of lanes, then sumLanes: each C[i][j] gains the sum of
        // the three images' dot products, nothing past column n, and a partial tile's repeated rows add nothing
        Gemm.Workspace ws = new Gemm.Workspace();
        qt().withFixedSeed(26).withExamples(80).forAll(CASES).checkAssert(c -> {
            Random r = new Random(c.seed());
            int[] rows = rowTable(r, c);
            int maxRow = java.util.Arrays.stream(rows).max().orElse(0);
            int lda = c.k() + c.pad(), ldc = c.n() + c.pad(), images = 3, imageFloats = 5 + c.m() * lda;
            float[] a = random(r, images * imageFloats), b = random(r, 2 + maxRow + c.k());
            float[] lanes = new float[7 + Gemm.lanesSize(c.m(), c.n())];
            for (int image = 0; image < images; image++) {
                Gemm.multiplyRowsInLanes(c.m(), c.n(), c.k(), a, image * imageFloats + 5, lda, b, 2, rows, lanes, 7,
                        ws);
            }
            float[] cm = random(r, c.m() * ldc), before = cm.clone();
            Gemm.sumLanes(c.m(), c.n(), lanes, 7, cm, 0, ldc);
            for (int i = 0; i < c.m(); i++) {
                for (int j = 0; j < ldc; j++) {
                    if (j >= c.n()) {
                        assertTrue(cm[i * ldc + j] == before[i * ldc + j], c + " wrote past column n");
                        continue;
                    }
                    double s = before[i * ldc + j];
                    for (int image = 0; image < images; image++) {
                        for (int p = 0; p < c.k(); p++) {
                            s += (double) a[image * imageFloats + 5 + i * lda + p] * b[2 + rows[j] + p];
                        }
                    }
                    assertTrue(Math.abs(cm[i * ldc + j] - s) <= 1e-4 * Math.sqrt(images * c.k()) + 1e-6,
                            c + " at " + i + "," + j + ": " + cm[i * ldc + j] + " against " + s);
                }
            }
        });
    }

    @Test
    void copyOutAddsTheBiasAndAppliesTheScalarRelu() {
        // v < 0 ? 0 : v exactly, as PyTorch's relu: NaN, −0 and +∞ stay; lengths on and off the vector length.
        float[] special = {Float.NaN, -0f, 0f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.MIN_VALUE, -1e-30f};
        qt().withFixedSeed(25).withExamples(60).forAll(CASES).checkAssert(c -> {
            Random r = new Random(c.seed());
            int n = c.n();
            float[] src = random(r, c.pad() + n), dst = random(r, 3 + n + 2), before = dst.clone();
            for (int i = 0; i < n; i += 5) {
                src[c.pad() + i] = special[r.nextInt(special.length)];
            }
            float bias = c.accumulate() ? 0f : r.nextFloat() - 0.5f;
            Gemm.copyOut(src, c.pad(), dst, 3, n, bias, c.transA());
            for (int i = 0; i < n; i++) {
                float v = src[c.pad() + i] + bias;
                float expected = c.transA() ? (v < 0f ? 0f : v) : v;
                assertTrue(Float.floatToIntBits(dst[3 + i]) == Float.floatToIntBits(expected),
                        c + " at " + i + ": " + dst[3 + i] + " vs " + expected);
            }
            assertTrue(dst[2] == before[2] && dst[3 + n] == before[3 + n], c + " wrote outside [3, 3 + n)");
        });
    }

    private static float[] random(Random r, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = r.nextFloat() * 2 - 1;
        }
        return v;
    }
}
