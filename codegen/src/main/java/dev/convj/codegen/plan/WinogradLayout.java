package dev.convj.codegen.plan;

import dev.convj.codegen.kernels.Gemm;

/**
 * How a Winograd convolution lays out its work, shared by the cost model and the emitter: output tiles per image,
 * images per chunk (a chunk's tiles are the columns of its α² GEMMs, so small images are batched until the GEMMs are
 * wide enough), and the zero-padded plane one channel is copied into before its tiles are transformed (whole tiles,
 * so the transform never tests bounds).
 *
 * @param t          the transforms
 * @param tilesHigh  output tiles down an image
 * @param tilesWide  output tiles across an image
 * @param chunk      images whose tiles share one set of GEMMs
 * @param planeRows  rows of the padded plane: tilesHigh·m + 2
 * @param planeCols  columns of the padded plane: tilesWide·m + 2
 */
public record WinogradLayout(WinogradTransform t, int tilesHigh, int tilesWide, int chunk, int planeRows,
                             int planeCols) {

    /** Columns a chunk's GEMMs should reach: below a few micro-kernel panels each call's fixed costs dominate. */
    static final int TARGET_COLUMNS = 128;

    /** The layout of forward convolution {@code d} (2-D, 3×3) over {@code batch} images. */
    public static WinogradLayout of(ConvDims d, WinogradTransform t, int batch) {
        int th = t.tiles(d.out().get(0)), tw = t.tiles(d.out().get(1));
        int tiles = th * tw;
        int chunk = Math.max(1, Math.min(batch, (TARGET_COLUMNS + tiles - 1) / tiles));
        return new WinogradLayout(t, th, tw, chunk, th * t.m() + WinogradTransform.R - 1,
                tw * t.m() + WinogradTransform.R - 1);
    }

    /** Tiles of one image. */
    public int tiles() {
        return tilesHigh * tilesWide;
    }

    /** Columns of a full chunk's GEMMs, also the row stride of the transformed input and of the products. */
    public int columns() {
        return chunk * tiles();
    }

    /**
     * Floats from one row of the transformed input V (and of the products M) to the next: a full chunk's columns and
     * 16 more, room for the GEMM's vector reads past a row's last column.
     */
    public int rowStride() {
        return columns() + 16;
    }

    /**
     * Multiply-adds of the α² GEMMs for {@code batch} images of {@code c} input and {@code o} output channels, each
     * chunk's columns rounded up to whole micro-kernel panels.
     */
    public long gemmMultiplyAdds(int c, int o, int batch) {
        int a2 = t.alpha() * t.alpha();
        long full = batch / chunk, rest = batch % chunk;
        long columns = full * roundUp(columns()) + (rest > 0 ? roundUp((int) rest * tiles()) : 0);
        return (long) a2 * o * c * columns;
    }

    /** Scalar operations of the input and output transforms for {@code batch} images. */
    public long transformOps(int c, int o, int batch) {
        long tiles = (long) batch * tiles();
        return tiles * ((long) c * t.inputTransformOps() + (long) o * t.outputTransformOps());
    }

    /** Scalar operations of the filter transform (U = G g Gᵀ of every filter), done once per call. */
    public long filterTransformOps(int c, int o) {
        return (long) o * c * (t.alpha() * 3 + t.alpha() * t.alpha()) * 3;
    }

    private static int roundUp(int n) {
        return (n + Gemm.NR - 1) / Gemm.NR * Gemm.NR;
    }

    /** Whether forward convolution {@code d} is one Winograd F(m×m, 3×3) computes: 2-D, 3×3, stride 1, dilation 1. */
    public static boolean fits(ConvDims d) {
        return d.r() == 2 && d.k().equals(java.util.List.of(3, 3)) && d.unitStride() && d.g().groups() == 1
                && d.g().dilation().stream().allMatch(x -> x == 1)
                && d.g().padLow().stream().allMatch(p -> p >= 0) && d.g().padHigh().stream().allMatch(p -> p >= 0);
    }
}
