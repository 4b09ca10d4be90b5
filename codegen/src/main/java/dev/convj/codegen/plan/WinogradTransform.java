package dev.convj.codegen.plan;

/**
 * The matrices of Winograd minimal filtering F(m×m, 3×3) (Lavin and Gray, CVPR 2016): an output tile of m×m is
 * Aᵀ [(G g Gᵀ) ⊙ (Bᵀ d Bᵀᵀ)] A over an input tile d of α×α = (m+2)×(m+2) and a 3×3 filter g, so that the channel
 * sum becomes α² independent matrix products. Rows of a matrix are its output rows: {@code bt} is Bᵀ (α×α),
 * {@code g} is G (α×3), {@code at} is Aᵀ (m×α). The two constants below are the only instances code uses (their
 * arrays compare by identity and must not be changed); tests build others to show a wrong entry is caught.
 *
 * @param m  output tile size
 * @param bt Bᵀ, the input transform
 * @param g  G, the filter transform
 * @param at Aᵀ, the output transform
 */
public record WinogradTransform(int m, double[][] bt, double[][] g, double[][] at) {

    /** Kernel size the transforms are built for. */
    public static final int R = 3;

    /** F(2×2, 3×3): interpolation points 0, 1, −1 and ∞; 16 multiplications per 4 outputs instead of 36. */
    public static final WinogradTransform F2 = new WinogradTransform(2,
            new double[][] {
                {1, 0, -1, 0},
                {0, 1, 1, 0},
                {0, -1, 1, 0},
                {0, 1, 0, -1}},
            new double[][] {
                {1, 0, 0},
                {0.5, 0.5, 0.5},
                {0.5, -0.5, 0.5},
                {0, 0, 1}},
            new double[][] {
                {1, 1, 1, 0},
                {0, 1, -1, -1}});

    /**
     * F(4×4, 3×3): points 0, ±1, ±2 and ∞ (five finite points and ∞ fit α = 6; ±½ would make a seventh, which is
     * F(6×6, 3×3)); 36 multiplications per 16 outputs instead of 144.
     */
    public static final WinogradTransform F4 = new WinogradTransform(4,
            new double[][] {
                {4, 0, -5, 0, 1, 0},
                {0, -4, -4, 1, 1, 0},
                {0, 4, -4, -1, 1, 0},
                {0, -2, -1, 2, 1, 0},
                {0, 2, -1, -2, 1, 0},
                {0, 4, 0, -5, 0, 1}},
            new double[][] {
                {1.0 / 4, 0, 0},
                {-1.0 / 6, -1.0 / 6, -1.0 / 6},
                {-1.0 / 6, 1.0 / 6, -1.0 / 6},
                {1.0 / 24, 1.0 / 12, 1.0 / 6},
                {1.0 / 24, -1.0 / 12, 1.0 / 6},
                {0, 0, 1}},
            new double[][] {
                {1, 1, 1, 1, 1, 0},
                {0, 1, -1, 2, -2, 0},
                {0, 1, 1, 4, 4, 0},
                {0, 1, -1, 8, -8, 1}});

    /** Input tile size α = m + r − 1. */
    public int alpha() {
        return m + R - 1;
    }

    /** Tiles along an axis of {@code outputs} positions (the last one partial when m does not divide it). */
    public int tiles(int outputs) {
        return (outputs + m - 1) / m;
    }

    /** Additions and multiplications of the input transform of one α×α tile (both passes, non-zero terms). */
    public int inputTransformOps() {
        return 2 * alpha() * nonZeros(bt);
    }

    /** Additions and multiplications of the output transform of one tile: Aᵀ M (α columns), then · A (m rows). */
    public int outputTransformOps() {
        return (alpha() + m) * nonZeros(at);
    }

    private static int nonZeros(double[][] a) {
        int n = 0;
        for (double[] row : a) {
            for (double v : row) {
                n += v != 0 ? 1 : 0;
            }
        }
        return n;
    }

    /**
     * The 1-D correlation of {@code d} (α values) with {@code g} (3 values) through the transforms, in double: m
     * outputs y[i] = Σ_t d[i + t] · g[t]. For tests of the matrices themselves.
     */
    public double[] correlate1d(double[] d, double[] g3) {
        int a = alpha();
        double[] product = new double[a];
        for (int x = 0; x < a; x++) {
            double u = 0, v = 0;
            for (int t = 0; t < R; t++) {
                u += g[x][t] * g3[t];
            }
            for (int t = 0; t < a; t++) {
                v += bt[x][t] * d[t];
            }
            product[x] = u * v;
        }
        double[] y = new double[m];
        for (int i = 0; i < m; i++) {
            for (int x = 0; x < a; x++) {
                y[i] += at[i][x] * product[x];
            }
        }
        return y;
    }
}
