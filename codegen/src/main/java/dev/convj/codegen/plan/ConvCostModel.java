package dev.convj.codegen.plan;

import dev.convj.codegen.kernels.Gemm;
import dev.convj.codegen.kernels.KernelChoice;
import dev.convj.codegen.kernels.WinogradF4;
import dev.convj.graph.ops.ConvGeometry;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The one place that chooses how each convolution-family node runs, from its shape and the micro-kernel in use.
 * Its thresholds are named below with the reason for each (the measurements behind them: docs/performance.md).
 */
public final class ConvCostModel {
    private ConvCostModel() {}

    /**
     * The implicit input gradient runs its multiply-adds about 2.5× faster than the per-tap GEMMs (its K is o·taps
     * deep, theirs only o): it is chosen while it multiplies at most this many times their work.
     */
    public static final double IMPLICIT_WORK_FACTOR = 2.0;

    /**
     * Each dot-product tile of a weight gradient ends in twelve horizontal reductions: over padded grids shorter
     * than this they cost more than the column matrix they save.
     */
    public static final int MIN_DOT_LENGTH = 512;

    /**
     * A weight gradient runs one GEMM per tap when its channels per group fill the micro-kernel's columns (its B's
     * columns are channels); with fewer, most of each tile would multiply zeros.
     */
    public static int tapwiseMinimumChannels() {
        return Gemm.NR;
    }

    /**
     * Operations per second (10⁹) of the Winograd transforms, counted as scalar operations, for F(2×2, 3×3) and
     * F(4×4, 3×3): with the micro-kernel's measured speed they price a transform against the GEMM work it saves.
     * F(4×4)'s 6×6 tiles are straight-line scalar code that keeps more values live and spills registers. Calibrated
     * from per-layer CPU times (docs/performance.md) while both were scalar; F(2×2)'s vector transforms
     * ({@code WinogradF2}, 256 and 512 bits) made its layers 5–10 % faster, which this figure does not yet credit:
     * the transforms are bound by their memory traffic more than by arithmetic.
     */
    public static final double F2_TRANSFORM_GOPS = 8.5;
    public static final double F4_TRANSFORM_GOPS = 5.0;

    /**
     * As {@link #F4_TRANSFORM_GOPS}, for F(4×4)'s vector transforms ({@code WinogradF4}: phase arrays, whole vectors
     * of positions, a scatter into the planes), which generated code uses where the Vector API runs at 256 bits or
     * more: 16.8 and 18.1 measured on the small VGG's 32- and 64-channel layers, batch 64 (docs/performance.md).
     */
    public static final double F4_VECTOR_TRANSFORM_GOPS = 17.0;

    /** The speed of F(4×4)'s transforms in the code generated here: vector where they run, else scalar. */
    static double f4TransformGops() {
        return WinogradF4.bits() > 0 ? F4_VECTOR_TRANSFORM_GOPS : F4_TRANSFORM_GOPS;
    }

    /**
     * As {@link #F2_TRANSFORM_GOPS}, for the weight gradient's transforms: their tile-major stores (a tile's values
     * a channel apart) ran at about 4 (small VGG, batch 64: the 64-channel 14×14 layer 1.15× faster than direct, the
     * 32-channel 28×28 one 0.8×; docs/performance.md).
     */
    public static final double F2_WEIGHT_GRADIENT_TRANSFORM_GOPS = 4.0;

    /**
     * As {@link #F2_WEIGHT_GRADIENT_TRANSFORM_GOPS}, for F(4×4)'s weight gradient, fitted so that the model gives the
     * times measured beside the tap-wise GEMM and F(2×2) (small VGG, batch 64, one thread, AVX2 Zen 3: 12.2 against
     * 14.2 ms on the 32-channel 28×28 layer, 8.8 against 11.0 on the 64-channel 14×14 one): 6.0 with its vector
     * transforms over channels ({@code WinogradF4.inputChannels}), 2.6 with the emitted scalar ones, which run where
     * channels are not whole vectors (15.5 ms on the 64-channel layer; docs/performance.md).
     */
    public static final double F4_WEIGHT_GRADIENT_TRANSFORM_GOPS = 6.0;
    public static final double F4_SCALAR_WEIGHT_GRADIENT_TRANSFORM_GOPS = 2.6;

    /**
     * The kernel trial's speed, GFLOP/s, on the host where the vector transforms' figures here were measured (AVX2
     * Zen 3, whose 256-bit 6×16 tile timed 92–96). Those transforms run on the vector unit the micro-kernel runs on,
     * so their speed is taken to grow with the kernel's: a host whose trial measures twice this gets twice the
     * figures ({@link #vectorTransformGops}). Unscaled, an AVX-512 Zen 5 (512-bit tile at 192 GFLOP/s) priced its
     * F(4×4) weight gradients at 1.5× their measured time and ran the tap-wise GEMMs, 1.25–1.5× slower; scaled, the
     * estimates of its F(4×4) passes fell within 15 % of their measured times (docs/performance.md).
     */
    public static final double REFERENCE_KERNEL_GFLOPS = 95.0;

    /** A vector transform's speed figure for a host whose micro-kernel runs at {@code kernelGflops}. */
    static double vectorTransformGops(double referenceGops, double kernelGflops) {
        return referenceGops * kernelGflops / REFERENCE_KERNEL_GFLOPS;
    }

    /** The speed of a weight gradient's transforms in the code generated here for forward convolution f. */
    static double weightGradientTransformGops(ConvDims f, WinogradTransform t) {
        if (t.m() == 2) {
            return F2_WEIGHT_GRADIENT_TRANSFORM_GOPS;
        }
        return WinogradF4.channelVectorsFit(f.c(), f.o()) ? F4_WEIGHT_GRADIENT_TRANSFORM_GOPS
                : F4_SCALAR_WEIGHT_GRADIENT_TRANSFORM_GOPS;
    }

    /**
     * Operations per second (10⁹) of the filter transform, run once per call: computed in double and followed by the
     * packing of each U[ξ] for the micro-kernel, it ran at 1.4–2.0 on the small VGG's layers (batch-1 profiles,
     * docs/performance.md). It decides small batches: at batch 1 the transform of 64×64 filters outweighs the
     * multiplications Winograd saves.
     */
    public static final double FILTER_TRANSFORM_GOPS = 1.5;

    /**
     * The share of the micro-kernel's trial speed a convolution's GEMMs reach (docs/performance.md): it scales the
     * direct and the Winograd GEMMs alike, and only weighs them against the transforms.
     */
    public static final double GEMM_EFFICIENCY = 0.8;

    /**
     * A Winograd GEMM of the forward pass or input gradient sums over the input channels only (K = c, where the
     * direct GEMM's K is c·9), and each micro-kernel tile pays for starting and storing its accumulators (and each
     * plane for its calls) about as much as this many steps of K: its GEMMs are priced at c / (c + this) of
     * {@link #GEMM_EFFICIENCY}. Without it the model chose F(4×4) for 16-channel layers, where the
     * implicit GEMM ran 1.2–1.5× faster (16→16 at 28×28, batch 64: 75–79 against 51–63 GFLOP/s; 64→64 at 7×7: 71
     * against 62–69, both JDKs, docs/performance.md).
     */
    public static final double WINOGRAD_TILE_OVERHEAD_STEPS = 24;

    /**
     * A Winograd algorithm is chosen only when its estimated time is below this fraction of the direct path's, so
     * that a noisy kernel trial does not flip a close call.
     */
    public static final double WINOGRAD_MARGIN = 0.95;

    /**
     * The channel-vector forward pass is chosen when its multiply-adds (whole vectors of channels, whole tiles of
     * twelve positions) are below this share of the implicit GEMM's (whole tiles of six channels, whole panels of
     * padded-grid positions): its tiles broadcast every image value, which costs a little more per multiply-add.
     */
    public static final double CHANNEL_VECTORS_MARGIN = 0.85;

    /**
     * The gathered GEMM replaces the direct algorithm the model would otherwise pick when its whole tiles hold fewer
     * multiply-adds than this share of that algorithm's: its micro-kernel computes six indexes and checks six reads
     * per step, which the packed tiles do not, and ran about 0.9 as many multiply-adds per second as the implicit GEMM
     * on 32→32 3×3 and 64→64 5×5 layers (one thread, Temurin 25, AVX2 Zen 3, docs/performance.md; measured with its
     * first, unchecked reads, which were no faster there).
     */
    public static final double GATHER_MARGIN = 0.85;

    /**
     * Whether the cost model may choose {@link ConvAlgorithm#GATHER_GEMM}: unless {@code -Dconvj.gather=false} (for
     * comparisons; a schedule may still force it).
     */
    public static boolean gatherMayRun() {
        return !"false".equals(System.getProperty("convj.gather"));
    }

    /**
     * What one float of an explicit column matrix costs (written by scalar code, then read by the packing), in
     * multiply-adds of a micro-kernel running at {@link #REFERENCE_KERNEL_GFLOPS}: LeNet-5's conv2 weight gradient
     * spent 0.32 ms copying 0.96 M floats and 0.49 ms on 18.4 M multiply-adds there (AVX2 Zen 3), about 12. The copy
     * does not speed up with the vector unit, so a faster kernel makes it worth more multiply-adds
     * ({@link #im2colCopyMultiplyAdds}): on an AVX-512 Zen 5 (192 GFLOP/s) that weight gradient's column matrix made
     * the im2col GEMM 1.3× slower than the gathered one, whose tiles there do 1.7× its multiply-adds (16 channels in
     * 32 columns).
     */
    static final double IM2COL_COPY_MULTIPLY_ADDS = 12;

    /** {@link #IM2COL_COPY_MULTIPLY_ADDS} for a micro-kernel running at {@code kernelGflops}. */
    static double im2colCopyMultiplyAdds(double kernelGflops) {
        return IM2COL_COPY_MULTIPLY_ADDS * kernelGflops / REFERENCE_KERNEL_GFLOPS;
    }

    /** Speed assumed for the plain-Java micro-kernel, which is not timed (a scalar GEMM runs at about this). */
    static final double PLAIN_JAVA_GFLOPS = 6.0;

    /** The schedule of a node: {@code forced} when given (checked to fit), else the cost model's choice. */
    public static ConvSchedule schedule(String node, ConvPass pass, ConvDims d, int batch, ConvAlgorithm forced,
                                        int threads) {
        List<ConvAlgorithm> fit = fitting(pass, d);
        ConvAlgorithm algorithm;
        if (forced != null) {
            if (!fit.contains(forced)) {
                throw new IllegalArgumentException(node + ": " + forced.label() + " cannot compute this "
                        + pass.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ') + " (stride "
                        + d.g().stride() + ", kernel " + d.k() + ", padding " + d.g().padLow() + "/" + d.g().padHigh()
                        + "); use one of " + fit.stream().map(ConvAlgorithm::label).toList());
            }
            algorithm = forced;
        } else {
            algorithm = choose(pass, d, batch, KernelChoice.measuredGflops(PLAIN_JAVA_GFLOPS));
        }
        boolean dots = algorithm == ConvAlgorithm.DOT_PRODUCTS, channels = algorithm == ConvAlgorithm.CHANNEL_VECTORS;
        boolean narrow = algorithm == ConvAlgorithm.GATHER_GEMM && Gemm.gatherRows(d.og()) != Gemm.MR;
        int narrowRows = gathersKernelRows(pass, d) ? 2 * Gemm.KERNEL_ROW_TAPS : Gemm.gatherRows(d.og());
        return new ConvSchedule(node, pass, algorithm, forced != null,
                dots ? 3 : channels ? Gemm.CHANNEL_POSITIONS : narrow ? narrowRows : Gemm.MR,
                dots ? 4 : channels || narrow ? Gemm.CHANNEL_LANES : Gemm.NR,
                threads, multiplyAdds(pass, algorithm, d, batch), bytes(pass, algorithm, d, batch));
    }

    /** The cost model's choice, among the direct algorithms only. */
    static ConvAlgorithm choose(ConvPass pass, ConvDims d) {
        return chooseDirect(pass, d);
    }

    /**
     * The cost model's choice for {@code batch} images with the micro-kernel running at {@code kernelGflops}: the
     * direct algorithm, or a Winograd one when its GEMMs (at the kernel's speed) and transforms (at
     * {@link #F2_TRANSFORM_GOPS} or {@link #f4TransformGops()}) are estimated to take under {@link #WINOGRAD_MARGIN}
     * of the direct GEMM's time.
     */
    static ConvAlgorithm choose(ConvPass pass, ConvDims d, int batch, double kernelGflops) {
        return choose(pass, d, batch, kernelGflops, gatherMayRun());
    }

    /** As above, the gathered GEMM a candidate only when {@code gather}. */
    static ConvAlgorithm choose(ConvPass pass, ConvDims d, int batch, double kernelGflops, boolean gather) {
        ConvAlgorithm direct = chooseDirect(pass, d);
        if (direct == ConvAlgorithm.IMPLICIT_GEMM && pass == ConvPass.FORWARD && channelVectorsFit(d)
                && KernelChoice.vectorBits() > 0
                && channelVectorMultiplyAdds(d) < CHANNEL_VECTORS_MARGIN * implicitTileMultiplyAdds(d)) {
            direct = ConvAlgorithm.CHANNEL_VECTORS;
        }
        if (gather && direct != ConvAlgorithm.POINTWISE && gatherFits(pass, d) && KernelChoice.vectorBits() > 0
                && gatherTileCost(pass, d) < GATHER_MARGIN * tileMultiplyAdds(pass, direct, d, kernelGflops)) {
            direct = ConvAlgorithm.GATHER_GEMM;
        }
        Optional<ConvDims> forward = winogradForward(pass, d);
        if (forward.isEmpty()) {
            return direct;
        }
        double best = WINOGRAD_MARGIN * 2.0 * multiplyAdds(pass, direct, d, batch)
                / (GEMM_EFFICIENCY * kernelGflops * 1e9);
        ConvAlgorithm choice = direct;
        for (ConvAlgorithm a : new ConvAlgorithm[] {ConvAlgorithm.WINOGRAD_2X2_3X3, ConvAlgorithm.WINOGRAD_4X4_3X3}) {
            if (!a.computes(pass)) {
                continue;
            }
            double t = winogradSeconds(forward.get(), a.winograd(), batch, kernelGflops,
                    pass == ConvPass.WEIGHT_GRADIENT);
            if (t < best) {
                best = t;
                choice = a;
            }
        }
        return choice;
    }

    /**
     * Estimated seconds of a Winograd convolution: its GEMMs at the kernel's speed, its transforms at their figure's
     * (scaled with the kernel's speed where they are vector code), the filter transform at its own.
     */
    static double winogradSeconds(ConvDims f, WinogradTransform t, int batch, double kernelGflops,
                                  boolean weightGradient) {
        WinogradLayout l = WinogradLayout.of(f, t, batch);
        double transformGops = weightGradient ? weightGradientTransformGops(f, t)
                : t.m() == 2 ? F2_TRANSFORM_GOPS : f4TransformGops();
        // F(2×2)'s figures were calibrated on scalar transforms, and so were the scalar F(4×4) ones: not scaled
        boolean vector = t.m() == 4
                && (weightGradient ? WinogradF4.channelVectorsFit(f.c(), f.o()) : WinogradF4.bits() > 0);
        if (vector) {
            transformGops = vectorTransformGops(transformGops, kernelGflops);
        }
        // the weight gradient's GEMMs sum over tiles, as deep as the direct ones
        double depth = weightGradient ? 1 : f.c() / (f.c() + WINOGRAD_TILE_OVERHEAD_STEPS);
        return 2.0 * l.gemmMultiplyAdds(f.c(), f.o(), batch) / (depth * GEMM_EFFICIENCY * kernelGflops * 1e9)
                + l.transformOps(f.c(), f.o(), batch) / (transformGops * 1e9)
                + l.filterTransformOps(f.c(), f.o()) / (FILTER_TRANSFORM_GOPS * 1e9);
    }

    /**
     * The forward convolution whose Winograd transforms this pass would run (the forward pass itself, the input
     * gradient as a forward convolution of the padded dy, the weight gradient through the forward pass's own
     * transforms), when it is one Winograd computes.
     */
    public static Optional<ConvDims> winogradForward(ConvPass pass, ConvDims d) {
        Optional<ConvDims> f = pass == ConvPass.INPUT_GRADIENT ? inputGradientAsForward(d) : Optional.of(d);
        return f.filter(WinogradLayout::fits);
    }

    private static ConvAlgorithm chooseDirect(ConvPass pass, ConvDims d) {
        switch (pass) {
            case FORWARD:
                return d.pointwise() ? ConvAlgorithm.POINTWISE
                        : d.unitStride() ? ConvAlgorithm.IMPLICIT_GEMM : ConvAlgorithm.IM2COL_GEMM;
            case INPUT_GRADIENT: {
                Optional<ConvDims> e = inputGradientAsForward(d);
                if (e.isPresent()) {
                    ConvDims f = e.get();
                    boolean banded = bandable(f);
                    long work = banded ? bandedMultiplyAdds(f) : (long) PaddedImage.of(f).gridPositions(f) * f.kg();
                    if (work <= IMPLICIT_WORK_FACTOR * d.outSize() * f.kg()) {
                        return banded ? ConvAlgorithm.BANDED_IMPLICIT_GEMM : ConvAlgorithm.IMPLICIT_GEMM;
                    }
                }
                return d.unitStride() ? ConvAlgorithm.TAPWISE_GEMM : ConvAlgorithm.COL2IM_GEMM;
            }
            default:
                if (d.pointwise()) {
                    return ConvAlgorithm.POINTWISE;
                }
                if (d.unitStride() && d.cg() >= tapwiseMinimumChannels()) {
                    return ConvAlgorithm.TAPWISE_GEMM;
                }
                if (d.unitStride() && dotLength(d) >= MIN_DOT_LENGTH) {
                    return ConvAlgorithm.DOT_PRODUCTS;
                }
                return ConvAlgorithm.IM2COL_GEMM;
        }
    }

    /** Whether {@link ConvAlgorithm#CHANNEL_VECTORS} computes this forward pass: 2-D, stride 1, a vector of channels. */
    public static boolean channelVectorsFit(ConvDims d) {
        return d.r() == 2 && d.unitStride() && d.og() <= Gemm.CHANNEL_LANES
                && d.g().padLow().stream().allMatch(p -> p >= 0) && d.g().padHigh().stream().allMatch(p -> p >= 0);
    }

    /** Multiply-adds per group and image of the channel-vector tiles: whole vectors, whole tiles of a row. */
    static long channelVectorMultiplyAdds(ConvDims d) {
        int wo = d.out().get(1), p = Gemm.CHANNEL_POSITIONS;
        long perRow = wo <= p ? p : (wo + p - 1) / p * (long) p;
        return (long) Gemm.CHANNEL_LANES * d.out().get(0) * perRow * d.kg();
    }

    /** Multiply-adds per group and image of the implicit GEMM's whole tiles: rows of six (or four), whole panels. */
    static long implicitTileMultiplyAdds(ConvDims d) {
        int og = d.og(), rest = og % Gemm.MR;
        long rows = og / Gemm.MR * Gemm.MR + (rest == 0 ? 0 : rest <= 4 ? 4 : Gemm.MR);
        long columns = (PaddedImage.of(d).gridPositions(d) + Gemm.NR - 1) / Gemm.NR * (long) Gemm.NR;
        return rows * columns * d.kg();
    }

    /**
     * Whether {@link ConvAlgorithm#GATHER_GEMM} computes this pass: the forward pass or the weight gradient, any
     * stride and dilation, padding that adds zeros (a crop has no padded copy to read from).
     */
    public static boolean gatherFits(ConvPass pass, ConvDims d) {
        return ConvAlgorithm.GATHER_GEMM.computes(pass) && d.g().padLow().stream().allMatch(p -> p >= 0)
                && d.g().padHigh().stream().allMatch(p -> p >= 0);
    }

    /**
     * Multiply-adds per group and image of the gathered GEMM's whole tiles: rows of positions (forward) or of taps
     * (weight gradient), columns of channels (NR of them a tile, or one vector for the narrow tiles), K the other of
     * the two.
     */
    static long gatherTileMultiplyAdds(ConvPass pass, ConvDims d) {
        boolean forward = pass == ConvPass.FORWARD;
        int m = forward ? d.outSize() : d.kg(), k = forward ? d.kg() : d.outSize();
        if (gathersKernelRows(pass, d)) { // two kernel rows of five taps a tile
            return roundUp(d.kg() / Gemm.KERNEL_ROW_TAPS, 2) * Gemm.KERNEL_ROW_TAPS * Gemm.CHANNEL_LANES * k;
        }
        int rows = Gemm.gatherRows(d.og());
        return roundUp(m, rows) * (rows == Gemm.MR ? roundUp(d.og(), Gemm.NR) : Gemm.CHANNEL_LANES) * k;
    }

    /** Whether the gathered weight gradient goes two kernel rows a tile ({@link Gemm#multiplyKernelRows}). */
    public static boolean gathersKernelRows(ConvPass pass, ConvDims d) {
        return pass == ConvPass.WEIGHT_GRADIENT && d.r() == 2 && Gemm.kernelRowsWeightGradient(d.k().get(1),
                d.g().stride().get(1), d.g().dilation().get(1), d.og());
    }

    /**
     * {@link #gatherTileMultiplyAdds} priced as the wide tile's: a narrow tile's at {@link #narrowTileCost}; the
     * kernel-row tiles broadcast one image value for five multiply-adds, as cheap as the wide tile's.
     */
    static double gatherTileCost(ConvPass pass, ConvDims d) {
        double multiplyAdds = gatherTileMultiplyAdds(pass, d);
        boolean narrow = Gemm.gatherRows(d.og()) != Gemm.MR && !gathersKernelRows(pass, d);
        return narrow ? narrowTileCost() * multiplyAdds : multiplyAdds;
    }

    /**
     * What a multiply-add of the gathered GEMM's narrow tile (twelve rows by one vector) costs in the wide tile's, as
     * the kernel trial timed the two on this host ({@link KernelChoice#narrowTileCost}); {@link #NARROW_TILE_COST}
     * where it timed neither.
     */
    static double narrowTileCost() {
        return KernelChoice.narrowTileCost(NARROW_TILE_COST);
    }

    /**
     * The narrow tile's cost where no trial timed it: it broadcasts an image value for every fused multiply-add where
     * the wide tile broadcasts one for two, and ran at 116 GFLOP/s where the wide one ran 202 (LeNet-5's conv2 weight
     * gradient, AVX-512 Zen 5, JDK 17).
     */
    static final double NARROW_TILE_COST = 1.7;

    /** Multiply-adds per group and image of a direct algorithm's whole tiles, which {@link #choose} weighs. */
    static long tileMultiplyAdds(ConvPass pass, ConvAlgorithm a, ConvDims d) {
        return tileMultiplyAdds(pass, a, d, REFERENCE_KERNEL_GFLOPS);
    }

    /** As above, an explicit column matrix's copy priced for a micro-kernel running at {@code kernelGflops}. */
    static long tileMultiplyAdds(ConvPass pass, ConvAlgorithm a, ConvDims d, double kernelGflops) {
        switch (a) {
            case IMPLICIT_GEMM:
                return implicitTileMultiplyAdds(d);
            case CHANNEL_VECTORS:
                return channelVectorMultiplyAdds(d);
            case DOT_PRODUCTS:
                return roundUp(d.og(), Gemm.DOT_ROWS_A) * roundUp(d.kg(), Gemm.DOT_ROWS_B) * dotLength(d);
            case TAPWISE_GEMM:
                return roundUp(d.og(), Gemm.MR) * roundUp(d.cg(), Gemm.NR) * PaddedImage.of(d).gridPositions(d)
                        * d.taps();
            case IM2COL_GEMM: {
                long copy = (long) (im2colCopyMultiplyAdds(kernelGflops) * d.kg() * d.outSize());
                return copy + (pass == ConvPass.FORWARD
                        ? roundUp(d.og(), Gemm.MR) * roundUp(d.outSize(), Gemm.NR) * d.kg()
                        : roundUp(d.og(), Gemm.MR) * roundUp(d.kg(), Gemm.NR) * d.outSize());
            }
            default:
                return (long) d.og() * d.outSize() * d.kg();
        }
    }

    private static long roundUp(int n, int multiple) {
        return (n + multiple - 1L) / multiple * multiple;
    }

    /** The algorithms that can compute this pass at this shape. */
    public static List<ConvAlgorithm> fitting(ConvPass pass, ConvDims d) {
        List<ConvAlgorithm> out = new ArrayList<>();
        switch (pass) {
            case FORWARD:
                if (d.pointwise()) {
                    out.add(ConvAlgorithm.POINTWISE);
                } else if (d.unitStride()) {
                    out.add(ConvAlgorithm.IMPLICIT_GEMM);
                }
                if (channelVectorsFit(d)) {
                    out.add(ConvAlgorithm.CHANNEL_VECTORS);
                }
                if (gatherFits(pass, d)) {
                    out.add(ConvAlgorithm.GATHER_GEMM);
                }
                out.add(ConvAlgorithm.IM2COL_GEMM);
                break;
            case INPUT_GRADIENT:
                inputGradientAsForward(d).ifPresent(f -> {
                    out.add(ConvAlgorithm.IMPLICIT_GEMM);
                    if (bandable(f)) {
                        out.add(ConvAlgorithm.BANDED_IMPLICIT_GEMM);
                    }
                });
                if (d.unitStride()) {
                    out.add(ConvAlgorithm.TAPWISE_GEMM);
                }
                out.add(ConvAlgorithm.COL2IM_GEMM);
                break;
            default:
                if (d.pointwise()) {
                    out.add(ConvAlgorithm.POINTWISE);
                } else {
                    if (d.unitStride()) {
                        out.add(ConvAlgorithm.TAPWISE_GEMM);
                        out.add(ConvAlgorithm.DOT_PRODUCTS);
                    }
                    if (gatherFits(pass, d)) {
                        out.add(ConvAlgorithm.GATHER_GEMM);
                    }
                    out.add(ConvAlgorithm.IM2COL_GEMM);
                }
        }
        if (winogradForward(pass, d).isPresent()) {
            out.add(ConvAlgorithm.WINOGRAD_2X2_3X3);
            if (ConvAlgorithm.WINOGRAD_4X4_3X3.computes(pass)) {
                out.add(ConvAlgorithm.WINOGRAD_4X4_3X3);
            }
        }
        return out;
    }

    /**
     * A stride-1 transposed convolution as the equivalent forward convolution: dy (o channels) zero-padded by
     * d·(k − 1) − p on each side, correlated with the filters flipped and transposed, giving x (c channels); empty
     * at larger strides or when that padding would be negative.
     */
    public static Optional<ConvDims> inputGradientAsForward(ConvDims d) {
        ConvGeometry g = d.g();
        if (!d.unitStride()) {
            return Optional.empty();
        }
        List<Integer> low = new ArrayList<>(), high = new ArrayList<>();
        for (int a = 0; a < d.r(); a++) {
            int reach = g.dilation().get(a) * (d.k().get(a) - 1);
            low.add(reach - g.padLow().get(a));
            high.add(reach - g.padHigh().get(a)); // a crop of x (negative padding) pads dy more: zeros there
            if (low.get(a) < 0 || high.get(a) < 0) {
                return Optional.empty();
            }
        }
        ConvGeometry forward = new ConvGeometry(g.stride(), low, high, g.dilation(), g.groups());
        return Optional.of(new ConvDims(forward, d.out(), d.in(), d.k(), d.o(), d.c()));
    }

    /** Whether the implicit input gradient can run banded: K fits one block, and no dilation along the rows. */
    public static boolean bandable(ConvDims forward) {
        return forward.kg() <= Gemm.KC_IMPLICIT && forward.g().dilation().get(0) == 1;
    }

    /** Multiply-adds per row of C of the banded implicit GEMM of this forward convolution. */
    static long bandedMultiplyAdds(ConvDims f) {
        KernelBand band = KernelBand.of(f);
        PaddedImage src = PaddedImage.of(f);
        return Gemm.bandedMultiplyAdds(src.gridPositions(f), src.stride()[0], band.from(), band.to());
    }

    /** Grid positions of a dot-product weight gradient, rounded up to a whole number of vectors of any width. */
    public static int dotLength(ConvDims d) {
        return (PaddedImage.of(d).gridPositions(d) + 15) / 16 * 16;
    }

    private static long multiplyAdds(ConvPass pass, ConvAlgorithm a, ConvDims d, int batch) {
        long perGroup;
        long direct = (long) d.og() * d.outSize() * d.kg();
        switch (a) {
            case IMPLICIT_GEMM:
            case BANDED_IMPLICIT_GEMM:
                if (pass == ConvPass.FORWARD) {
                    perGroup = (long) d.og() * PaddedImage.of(d).gridPositions(d) * d.kg();
                } else {
                    ConvDims f = inputGradientAsForward(d).orElseThrow();
                    perGroup = (long) f.og() * (a == ConvAlgorithm.BANDED_IMPLICIT_GEMM ? bandedMultiplyAdds(f)
                            : (long) PaddedImage.of(f).gridPositions(f) * f.kg());
                }
                break;
            case TAPWISE_GEMM:
                perGroup = pass == ConvPass.WEIGHT_GRADIENT
                        ? (long) d.og() * d.cg() * PaddedImage.of(d).gridPositions(d) * d.taps() : direct;
                break;
            case DOT_PRODUCTS:
                perGroup = (long) d.og() * d.kg() * dotLength(d);
                break;
            case CHANNEL_VECTORS:
                perGroup = channelVectorMultiplyAdds(d);
                break;
            case GATHER_GEMM:
                perGroup = gatherTileMultiplyAdds(pass, d);
                break;
            case WINOGRAD_2X2_3X3:
            case WINOGRAD_4X4_3X3: {
                ConvDims f = winogradForward(pass, d).orElseThrow();
                return WinogradLayout.of(f, a.winograd(), batch).gemmMultiplyAdds(f.c(), f.o(), batch);
            }
            default:
                perGroup = direct;
        }
        return perGroup * d.g().groups() * batch;
    }

    private static long bytes(ConvPass pass, ConvAlgorithm a, ConvDims d, int batch) {
        long floats = (long) batch * (d.c() * d.inSize() + (long) d.o() * d.outSize()) + (long) d.o() * d.kg();
        if (a == ConvAlgorithm.IM2COL_GEMM || a == ConvAlgorithm.COL2IM_GEMM) {
            floats += (long) batch * d.g().groups() * d.kg() * d.outSize(); // the column matrix, written and read
        }
        WinogradTransform t = a.winograd();
        if (t != null) {
            ConvDims f = winogradForward(pass, d).orElseThrow();
            int a2 = t.alpha() * t.alpha();
            // the transformed tiles and their products, written and read
            floats += (long) batch * WinogradLayout.of(f, t, batch).tiles() * a2 * (f.c() + f.o());
        }
        return 4 * floats;
    }
}
