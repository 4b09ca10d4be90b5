package dev.convj.codegen.kernels;

/**
 * The micro-kernel in plain Java, for JVMs without the Vector API or whose JIT does not compile it: the JIT
 * vectorizes the inner j loops itself.
 */
final class ScalarKernel implements MicroKernel {
    static final ScalarKernel INSTANCE = new ScalarKernel();
    /** Columns per tile: what the JIT's own vectorization handles well on any x86 or ARM core. */
    static final int NR = 16;

    private ScalarKernel() {}

    @Override
    public int vectorBits() {
        return 0;
    }

    @Override
    public int columns() {
        return NR;
    }

    @Override
    public void tile(int kc, float[] pa, int aAt, float[] pb, int bAt, int bStride, float[] c, int cAt, int ldc,
                     float[] start, int startAt, int startLd) {
        rows(Gemm.MR, kc, pa, aAt, pb, bAt, bStride, null, 0, c, cAt, ldc, start, startAt, startLd);
    }

    @Override
    public void tileUnpackedA(int kc, float[] a, int aAt, int lda, float[] pb, int bAt, int bStride, float[] c,
                              int cAt, int ldc, float[] start, int startAt, int startLd) {
        for (int i = 0; i < Gemm.MR; i++) {
            int row = cAt + i * ldc;
            for (int j = 0; j < NR; j++) {
                c[row + j] = start[startAt + i * startLd + j];
            }
            for (int p = 0; p < kc; p++) {
                float v = a[aAt + p * lda + i];
                int bRow = bAt + p * bStride;
                for (int j = 0; j < NR; j++) {
                    c[row + j] += v * pb[bRow + j];
                }
            }
        }
    }

    @Override
    public void tileAt(int kc, float[] pa, int aAt, float[] pb, int bAt, int[] rows, int rowAt, float[] c, int cAt,
                       int ldc, float[] start, int startAt, int startLd) {
        rows(Gemm.MR, kc, pa, aAt, pb, bAt, 0, rows, rowAt, c, cAt, ldc, start, startAt, startLd);
    }

    @Override
    public void tile4(int kc, float[] pa, int aAt, float[] pb, int bAt, int bStride, int[] rows, int rowAt,
                      float[] c, int cAt, int ldc, float[] start, int startAt, int startLd) {
        rows(4, kc, pa, aAt, pb, bAt, bStride, rows, rowAt, c, cAt, ldc, start, startAt, startLd);
    }

    @Override
    public void tile2(int kc, float[] pa, int aAt, int aAt2, float[] pb, int bAt, int bStride, float[] c, int cAt,
                      int ldc, float[] start, int startAt, int startLd) {
        rows(Gemm.MR, kc, pa, aAt, pb, bAt, bStride, null, 0, c, cAt, ldc, start, startAt, startLd);
        rows(Gemm.MR, kc, pa, aAt2, pb, bAt, bStride, null, 0, c, cAt + Gemm.MR * ldc, ldc, start,
                startAt + Gemm.MR * startLd, startLd);
    }

    @Override
    public void tileAt2(int kc, float[] pa, int aAt, int aAt2, float[] pb, int bAt, int[] rows, int rowAt, float[] c,
                        int cAt, int ldc, float[] start, int startAt, int startLd) {
        rows(Gemm.MR, kc, pa, aAt, pb, bAt, 0, rows, rowAt, c, cAt, ldc, start, startAt, startLd);
        rows(Gemm.MR, kc, pa, aAt2, pb, bAt, 0, rows, rowAt, c, cAt + Gemm.MR * ldc, ldc, start,
                startAt + Gemm.MR * startLd, startLd);
    }

    /**
     * The first mr rows of a tile, the sums from start's rows; B's row p at bAt + p · bStride, or at
     * bAt + rows[rowAt + p].
     */
    private static void rows(int mr, int kc, float[] pa, int aAt, float[] pb, int bAt, int bStride, int[] rows,
                             int rowAt, float[] c, int cAt, int ldc, float[] start, int startAt, int startLd) {
        for (int i = 0; i < mr; i++) {
            int row = cAt + i * ldc;
            for (int j = 0; j < NR; j++) {
                c[row + j] = start[startAt + i * startLd + j];
            }
            for (int p = 0; p < kc; p++) {
                float a = pa[aAt + p * Gemm.MR + i];
                int bRow = bAt + (rows == null ? p * bStride : rows[rowAt + p]);
                for (int j = 0; j < NR; j++) {
                    c[row + j] += a * pb[bRow + j];
                }
            }
        }
    }

    @Override
    public void dots(int k, float[] a, int a0, int a1, int a2, float[] b, int b0, int b1, int b2, int b3,
                     float[] sums) {
        java.util.Arrays.fill(sums, 0f);
        addDots(0, k, a, a0, a1, a2, b, b0, b1, b2, b3, sums);
    }

    @Override
    public void dotLanes(int k, float[] a, int a0, int a1, int a2, float[] b, int b0, int b1, int b2, int b3,
                         float[] lanes, int at) {
        int v = columns() / 2;
        for (int i = 0; i < 3; i++) {
            int ai = i == 0 ? a0 : i == 1 ? a1 : a2;
            for (int j = 0; j < 4; j++) {
                int bj = j == 0 ? b0 : j == 1 ? b1 : j == 2 ? b2 : b3, sum = at + (i * 4 + j) * v;
                for (int p = 0; p < k; p++) {
                    lanes[sum + p % v] += a[ai + p] * b[bj + p];
                }
            }
        }
    }

    /** Adds the terms p ∈ [from, k) of {@link #dots}: sums[i · 4 + j] += Σ_p a[ai + p] · b[bj + p]. */
    static void addDots(int from, int k, float[] a, int a0, int a1, int a2, float[] b, int b0, int b1, int b2,
                        int b3, float[] sums) {
        for (int i = 0; i < 3; i++) {
            int ai = i == 0 ? a0 : i == 1 ? a1 : a2;
            for (int j = 0; j < 4; j++) {
                int bj = j == 0 ? b0 : j == 1 ? b1 : j == 2 ? b2 : b3;
                float sum = 0f;
                for (int p = from; p < k; p++) {
                    sum += a[ai + p] * b[bj + p];
                }
                sums[i * 4 + j] += sum;
            }
        }
    }

    @Override
    public void gatherTile(int kc, float[] x, int xAt, int[] rows, int rowAt, int[] steps, int stepAt, float[] pb,
                           int bAt, float[] c, int cAt, int ldc, float[] start, int startAt, int startLd) {
        gathered(Gemm.MR, columns(), kc, x, xAt, rows, rowAt, steps, stepAt, pb, bAt, c, cAt, ldc, start, startAt,
                startLd);
    }

    @Override
    public void gatherTileNarrow(int kc, float[] x, int xAt, int[] rows, int rowAt, int[] steps, int stepAt,
                                 float[] pb, int bAt, float[] c, int cAt, int ldc, float[] start, int startAt,
                                 int startLd) {
        gathered(MicroKernel.NARROW_ROWS, columns() / 2, kc, x, xAt, rows, rowAt, steps, stepAt, pb, bAt, c, cAt, ldc,
                start, startAt, startLd);
    }

    /** The gathered tiles: {@code tileRows} rows by the first {@code lanes} columns of B's panels of NR. */
    private static void gathered(int tileRows, int lanes, int kc, float[] x, int xAt, int[] rows, int rowAt,
                                 int[] steps, int stepAt, float[] pb, int bAt, float[] c, int cAt, int ldc,
                                 float[] start, int startAt, int startLd) {
        for (int i = 0; i < tileRows; i++) {
            int row = cAt + i * ldc, from = xAt + rows[rowAt + i];
            for (int j = 0; j < lanes; j++) {
                float sum = start[startAt + i * startLd + j];
                for (int p = 0; p < kc; p++) {
                    sum = Math.fma(x[from + steps[stepAt + p]], pb[bAt + p * NR + j], sum);
                }
                c[row + j] = sum;
            }
        }
    }

    @Override
    public void kernelRowsTile(int outCols, float[] x, int xa, int xb, int xa2, int xb2, int secondCols, float[] pb,
                               int bAt, float[] c, int cAt, int ldc) {
        int nr = columns(), lanes = nr / 2;
        for (int r = 0; r < 2 * ROW_TAPS; r++) {
            int from = (r < ROW_TAPS ? xa : xb) + r % ROW_TAPS, from2 = (r < ROW_TAPS ? xa2 : xb2) + r % ROW_TAPS;
            for (int l = 0; l < lanes; l++) {
                float sum = c[cAt + r * ldc + l];
                for (int j = 0; j < outCols; j++) {
                    sum = Math.fma(x[from + j], pb[bAt + j * nr + l], sum);
                }
                for (int j = 0; j < secondCols; j++) {
                    sum = Math.fma(x[from2 + j], pb[bAt + (outCols + j) * nr + l], sum);
                }
                c[cAt + r * ldc + l] = sum;
            }
        }
    }



    @Override
    public void channelTile(int k, float[] w, int wAt, float[] x, int xAt, int[] taps, float[] out, int outAt) {
        int lanes = columns() / 2;
        for (int q = 0; q < MicroKernel.CHANNEL_POSITIONS; q++) {
            for (int j = 0; j < lanes; j++) {
                float sum = 0f;
                for (int p = 0; p < k; p++) {
                    sum = Math.fma(x[xAt + taps[p] + q], w[wAt + p * lanes + j], sum);
                }
                out[outAt + q * lanes + j] = sum;
            }
        }
    }

    @Override
    public void channelTileRows(int rows, float[] w, int wAt, float[] x, int xAt, int[] rowTaps, float[] out,
                                int outAt) {
        int lanes = columns() / 2;
        for (int q = 0; q < MicroKernel.CHANNEL_POSITIONS; q++) {
            for (int j = 0; j < lanes; j++) {
                float sum = 0f;
                for (int r = 0; r < rows; r++) {
                    for (int t = 0; t < ROW_TAPS; t++) {
                        sum = Math.fma(x[xAt + rowTaps[r] + t + q], w[wAt + (r * ROW_TAPS + t) * lanes + j], sum);
                    }
                }
                out[outAt + q * lanes + j] = sum;
            }
        }
    }

    @Override
    public void packShifted(int kc, float[] src, int base, int[] taps, int pc, float[] dst) {
        for (int p = 0; p < kc; p++) {
            // arraycopy moves the row in a few vector loads and stores; a 16-step loop is unrolled, not vectorized
            System.arraycopy(src, base + taps[pc + p], dst, p * NR, NR);
        }
    }

    @Override
    public void copyRows(float[] src, int srcOff, int srcStride, float[] dst, int dstOff, int dstStride, int rows,
                         int n) {
        for (int r = 0; r < rows; r++) {
            System.arraycopy(src, srcOff + r * srcStride, dst, dstOff + r * dstStride, n);
        }
    }

    @Override
    public void copyOutRows(float[] src, int srcOff, int srcStride, float[] dst, int dstOff, int dstStride, int rows,
                            int n, float bias, float floor) {
        for (int r = 0; r < rows; r++) {
            for (int i = 0, from = srcOff + r * srcStride, to = dstOff + r * dstStride; i < n; i++) {
                float v = src[from + i] + bias;
                dst[to + i] = v < floor ? 0f : v;
            }
        }
    }

    /** Four interleaved partial sums along each run, so the adds do not wait on one another. */
    @Override
    public float sumRuns(float[] x, int at, int run, int count, int stride) {
        float sum = 0f;
        for (int r = 0, i = at; r < count; r++, i += stride) {
            float s0 = 0f, s1 = 0f, s2 = 0f, s3 = 0f;
            int j = i;
            for (; j + 4 <= i + run; j += 4) {
                s0 += x[j];
                s1 += x[j + 1];
                s2 += x[j + 2];
                s3 += x[j + 3];
            }
            for (; j < i + run; j++) {
                s0 += x[j];
            }
            sum += (s0 + s1) + (s2 + s3);
        }
        return sum;
    }

    @Override
    public void activateChannels(float[] c, int at, int positions, int ldc, int vectors, float[] bias, int biasAt,
                                 int biasStep, float floor) {
        for (int p = 0; p < positions; p++) {
            for (int j = 0, i = at + p * ldc; j < vectors; j++, i++) {
                float v = c[i] + bias[biasAt + j * biasStep];
                c[i] = v < floor ? 0f : v;
            }
        }
    }

    @Override
    public float fmaChains(int iterations) {
        throw new UnsupportedOperationException("the plain-Java kernel has no vector FMA peak");
    }
}
