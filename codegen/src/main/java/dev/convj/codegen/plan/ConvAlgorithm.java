package dev.convj.codegen.plan;

import java.util.Locale;
import java.util.Set;

/**
 * How a convolution-family node is computed; {@link ConvCostModel} chooses one per node, a {@code Schedule} may force
 * one. Every algorithm is a packed GEMM per image on the micro-kernel; they differ in how the column matrix is formed,
 * or (Winograd) in transforming tiles so that the GEMMs do fewer multiplications.
 */
public enum ConvAlgorithm {
    /** A 1×1 kernel at unit stride without padding: the input itself is the column matrix. */
    POINTWISE(Set.of(ConvPass.FORWARD, ConvPass.WEIGHT_GRADIENT)),
    /**
     * Stride 1: the GEMM reads its column matrix in place from a zero-padded copy of the image, through each tap's
     * offset (implicit im2col); the input gradient as the forward convolution of the padded dy with the filters
     * flipped and transposed.
     */
    IMPLICIT_GEMM(Set.of(ConvPass.FORWARD, ConvPass.INPUT_GRADIENT)),
    /**
     * Stride-1 2-D forward passes with at most one vector of output channels (per group): the channels in the vector
     * lanes, twelve positions of an output row per tile, each image value broadcast from the zero-padded copy. For
     * small planes, whose rows the implicit GEMM's column panels would mostly fill with padding.
     */
    CHANNEL_VECTORS(Set.of(ConvPass.FORWARD)),
    /** The input gradient's implicit GEMM, each tile multiplying only the kernel rows that reach dy's rows. */
    BANDED_IMPLICIT_GEMM(Set.of(ConvPass.INPUT_GRADIENT)),
    /**
     * Stride 1: one GEMM per kernel tap, reading its operand in place (the input gradient accumulating into a
     * zero-padded x; the weight gradient over a channels-last copy of the image).
     */
    TAPWISE_GEMM(Set.of(ConvPass.INPUT_GRADIENT, ConvPass.WEIGHT_GRADIENT)),
    /** Stride 1 weight gradient: dot products of dy spread over the padded grid with the shifted padded image. */
    DOT_PRODUCTS(Set.of(ConvPass.WEIGHT_GRADIENT)),
    /**
     * Any stride, no column matrix: the micro-kernel reads the image through two offset tables (an output position's
     * window corner plus a tap's offset), the other operand's channels in the vector lanes. The forward pass tiles
     * output positions × output channels; the weight gradient tiles taps × dy's channels, summing over positions.
     * Tiles may span image rows, so a small plane wastes no lanes on padding, and no copy of the columns is made.
     */
    GATHER_GEMM(Set.of(ConvPass.FORWARD, ConvPass.WEIGHT_GRADIENT)),
    /** Any stride: an explicit column matrix (im2col), then one GEMM. */
    IM2COL_GEMM(Set.of(ConvPass.FORWARD, ConvPass.WEIGHT_GRADIENT)),
    /** Any stride: the input gradient as col = wᵀ · dy, then col2im scatters the columns back. */
    COL2IM_GEMM(Set.of(ConvPass.INPUT_GRADIENT)),
    /**
     * Stride-1, dilation-1 3×3 kernels without groups: Winograd F(2×2, 3×3). Input tiles of 4×4 are transformed
     * from a zero-padded copy, the channel sums become 16 GEMMs on the micro-kernel, the output transform adds the
     * bias and a fused ReLU. The input gradient runs as the equivalent forward convolution of the padded dy; the
     * weight gradient as Gᵀ [Σ (A dy Aᵀ) ⊙ (Bᵀ x B)] G, the transpose of the forward pass, its channel sums over all
     * tiles 16 GEMMs of o × c × tiles.
     */
    WINOGRAD_2X2_3X3(Set.of(ConvPass.FORWARD, ConvPass.INPUT_GRADIENT, ConvPass.WEIGHT_GRADIENT)),
    /**
     * As {@link #WINOGRAD_2X2_3X3} with F(4×4, 3×3): 6×6 input tiles, 36 GEMMs, a quarter of direct's products (the
     * weight gradient's dy in 4×4 tiles).
     */
    WINOGRAD_4X4_3X3(Set.of(ConvPass.FORWARD, ConvPass.INPUT_GRADIENT, ConvPass.WEIGHT_GRADIENT));

    private final Set<ConvPass> passes;

    ConvAlgorithm(Set<ConvPass> passes) {
        this.passes = passes;
    }

    /** Whether this algorithm computes that pass at all (whether it fits a node's shape is the cost model's call). */
    public boolean computes(ConvPass pass) {
        return passes.contains(pass);
    }

    /** The Winograd transforms this algorithm runs, or null for the GEMM-only algorithms. */
    public WinogradTransform winograd() {
        return this == WINOGRAD_2X2_3X3 ? WinogradTransform.F2 : this == WINOGRAD_4X4_3X3 ? WinogradTransform.F4 : null;
    }

    /** E.g. "implicit-gemm". */
    public String label() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
