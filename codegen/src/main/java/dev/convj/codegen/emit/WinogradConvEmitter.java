package dev.convj.codegen.emit;

import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.MethodSpec;
import dev.convj.codegen.kernels.Gemm;
import dev.convj.codegen.kernels.WinogradF2;
import dev.convj.codegen.kernels.WinogradF4;
import dev.convj.codegen.plan.ConvDims;
import dev.convj.codegen.plan.WinogradLayout;
import dev.convj.codegen.plan.WinogradTransform;
import dev.convj.graph.Node;
import dev.convj.graph.ops.Relu;
import javax.lang.model.element.Modifier;

/**
 * A stride-1 3×3 convolution by Winograd minimal filtering F(m×m, 3×3). Once per call the filters are transformed
 * (U = G g Gᵀ, in double) and packed for the micro-kernel, one A operand per tile position ξ. Per chunk of images,
 * each channel is copied into a zero-padded plane (zeroed once per call: the copies always write the same positions)
 * and its α×α tiles are transformed (V = Bᵀ d B) straight from that plane while it is in L1; then α² GEMMs
 * M[ξ] = U[ξ] · V[ξ] (K × C times C × tiles) run on the micro-kernel, and the output transform (Aᵀ M A) writes y
 * with the bias and a fused ReLU. The transforms are straight-line code over float locals, zero coefficients left
 * out. The input gradient runs through here as the forward convolution of the padded dy with the filters flipped and
 * transposed, which only changes how a filter element is read.
 */
final class WinogradConvEmitter {
    private WinogradConvEmitter() {}

    /** The Java expression of filter element (output channel k, input channel c, row i, column j) of the convolution. */
    interface FilterElement {
        String at(int i, int j);
    }

    /**
     * Emits node n as forward convolution {@code d} of its input 0 (2-D, 3×3, stride 1, non-negative padding), the
     * filters read from {@code filters} through {@code element} (an index expression of loop variables k and c).
     */
    static void emit(EmitContext ctx, Node n, ConvDims d, String filters, FilterElement element,
                     WinogradTransform t) {
        String name = ctx.methodName(n);
        String x = ctx.buf(ctx.input(n, 0)), y = ctx.buf(n);
        int batch = n.shape().dim(0);
        WinogradLayout l = WinogradLayout.of(d, t, batch);
        int m = t.m(), alpha = t.alpha(), a2 = alpha * alpha;
        int c = d.c(), k = d.o(), h = d.in().get(0), w = d.in().get(1), ho = d.out().get(0), wo = d.out().get(1);
        int pt = d.g().padLow().get(0), pl = d.g().padLow().get(1);
        int tiles = l.tiles(), pw = l.planeCols();
        int packed = Gemm.packedASize(k, c);
        // col: the padded plane, the transformed tiles V[ξ][c][j] (+ room for the GEMM's reads past a row's last
        // column), the products M[ξ][k][j], the packed filters per ξ; the unpacked U goes where V and M will be when
        // it fits there, else behind the packed filters.
        // Each ξ's block is one cache line longer than its matrix: blocks of a power-of-two size would put the α²
        // streams of a tile's transform in one L1 set (64 channels × 128 columns: 32 KB apart), thrashing it.
        // Rows likewise, for the GEMM's reads down a panel of V.
        int ld = l.rowStride();
        // the vector transforms, where the Vector API runs: F(2×2)'s read a deinterleaved plane and use 64 floats of
        // output scratch; F(4×4)'s read six phase arrays (WinogradF4) and stage outputs in 44 rows of scratch
        boolean vector = ctx.winogradF2 != null && t == WinogradTransform.F2 && WinogradF2.bits() > 0;
        boolean vector4 = ctx.winogradF4 != null && t == WinogradTransform.F4 && WinogradF4.bits() > 0;
        int phaseSize = WinogradF4.phaseSize(l.tilesHigh(), l.tilesWide());
        long vXi = blockStride(c, ld), mXi = blockStride(k, ld);
        long planeAt = 0, vAt = vector4 ? 12L * phaseSize : (long) l.planeRows() * pw, mAt = vAt + a2 * vXi + 64;
        // U's blocks likewise: 64×64 filters a power of two apart put the filter transform's 36 stores per filter
        // in one L1 set, 15× slower (2.4 against 0.16 ms for the small VGG's two 64-channel transforms, AVX-512 Zen 5)
        long uXi = blockStride(k, c);
        long uPackAt = mAt + a2 * mXi, uAt = a2 * uXi <= uPackAt - vAt ? vAt : uPackAt + (long) a2 * packed;
        long scratchAt = Math.max(uPackAt + (long) a2 * packed, uAt + a2 * uXi);
        ctx.needCol(scratchAt + (vector4 ? (long) WinogradF4.SCRATCH_ROWS * ld : 64));
        boolean bias = n.inputs().size() == 3;
        // the fused epilogue: a ReLU (forward), or a ReLU's backward with its mask (an input gradient's)
        Node fused = ctx.plan.epilogueOf(n) < 0 ? null : ctx.graph.node(ctx.plan.epilogueOf(n));
        Node mask = fused == null ? null : ElementwiseEmitter.maskOperand(ctx, fused, n);
        boolean relu = fused != null && fused.op() instanceof Relu;
        if (fused != null && !relu && mask == null) {
            throw new IllegalStateException(n.name() + ": no Winograd code for the fused epilogue " + fused.name());
        }
        if (mask != null && !vector4) {
            throw new IllegalStateException(n.name() + ": a ReLU's backward fuses only into F(4×4)'s vector transforms");
        }

        addFilterTransform(ctx, name + "_filters", d, element, t, uAt, uXi);
        // a 2×2 max pool fused into the output transform: each whole output tile is one window (F(2×2)) or four
        Node pool = ctx.plan.poolOf(n) < 0 ? null : ctx.graph.node(ctx.plan.poolOf(n));
        if (pool != null && t == WinogradTransform.F4 && !vector4) {
            throw new IllegalStateException(n.name() + ": F(4×4, 3×3) pools only in its vector transforms");
        }
        if (vector4) {
            emitF4Vector(ctx, n, name, d, filters, l, pool, bias, relu, mask,
                    new long[] {planeAt, vAt, mAt, uAt, uPackAt, scratchAt});
            return;
        }
        if (!vector) {
            addInputTransform(ctx, name + "_tiles", l, planeAt, vXi);
            if (pool == null) {
                addOutputTransform(ctx, name + "_untile", l, d, mXi, bias, relu);
            }
        }

        CodeBlock.Builder b = prologue(ctx, name, filters, "the padded plane", planeAt, vAt, uAt, uPackAt, d, l);
        b.addStatement("int off = (n0 + i) * $L + c * $L", c * h * w, h * w);
        if (vector) {
            b.addStatement("$T.copyDeinterleaved($L, off, $L, $L, col, $L, $L, $L, $L)", ctx.winogradF2, x, h, w, planeAt,
                    pw / 2, pt, pl);
            b.add("// V[ξ][c][j] = (Bᵀ d B)[ξ] for each tile j of this image's channel c, a vector of tiles at a time\n");
            b.addStatement("$T.input(col, $L, $L, $L, $L + c * $L + i * $L, $L)", ctx.winogradF2, planeAt,
                    l.tilesHigh(), l.tilesWide(), vAt, ld, tiles, vXi);
        } else {
            b.beginControlFlow("for (int r = 0; r < $L; r++)", h)
                    .addStatement("$T.arraycopy($L, off + r * $L, col, $L + r * $L, $L)", System.class, x, w,
                            planeAt + (long) pt * pw + pl, pw, w)
                    .endControlFlow();
            b.add("// V[ξ][c][j] = (Bᵀ d B)[ξ] for each tile j of this image's channel c, while the plane is in L1\n");
            b.addStatement("$L_tiles(col, $L + c * $L + i * $L)", name, vAt, ld, tiles);
        }
        b.endControlFlow().endControlFlow();

        gemms(ctx, b, d, l, uPackAt, vAt, mAt);

        if (pool == null) {
            b.add("// y = Aᵀ M A per tile$L\n", bias || relu ? ", " + ConvColumns.epilogueName(bias, relu) : "");
        } else {
            b.add("// fused $L: y = Aᵀ M A per tile$L, then the maximum of each whole tile (one window), into $L\n",
                    ctx.describe(pool).replace("$", "$$"),
                    bias || relu ? ", " + ConvColumns.epilogueName(bias, relu) : "", y);
        }
        b.beginControlFlow("for (int i = 0; i < images; i++)");
        b.beginControlFlow("for (int k = 0; k < $L; k++)", k);
        if (pool != null) {
            int pho = pool.shape().dim(2), pwo = pool.shape().dim(3);
            b.addStatement("$T.outputPooled(col, $L + k * $L + i * $L, $L, $L, $L, (n0 + i) * $L + k * $L, $L, $L, $L,"
                            + " $L, col, $L)", ctx.winogradF2, mAt, ld, tiles, mXi, l.tilesWide(), y, k * pho * pwo,
                    pho * pwo, pho, pwo, bias ? ctx.buf(ctx.input(n, 2)) + "[k]" : "0f", relu, scratchAt);
        } else if (vector) {
            b.addStatement("$T.output(col, $L + k * $L + i * $L, $L, $L, $L, $L, (n0 + i) * $L + k * $L, $L, $L, $L, $L,"
                            + " col, $L)", ctx.winogradF2, mAt, ld, tiles, mXi, l.tilesHigh(), l.tilesWide(), y,
                    k * ho * wo, ho * wo, ho, wo, bias ? ctx.buf(ctx.input(n, 2)) + "[k]" : "0f", relu, scratchAt);
        } else {
            b.addStatement("$L_untile(col, $L + k * $L + i * $L, $L, (n0 + i) * $L + k * $L, $L)", name, mAt, ld,
                    tiles, y, k * ho * wo, ho * wo, bias ? ctx.buf(ctx.input(n, 2)) + "[k]" : "0f");
        }
        b.endControlFlow().endControlFlow();
        b.endControlFlow();
        ctx.loopMethod(n, name, batch, true, b.build());
    }

    /**
     * The body of {@link #emit} with F(4×4)'s vector transforms ({@link WinogradF4}): per chunk, each channel of each
     * image copied into the six phase arrays at col[at[0]..) and transformed into V; the 36 GEMMs as in the scalar
     * form; then per output channel the chunk's tiles transformed at once into rows of scratch (pooled too when a
     * pool is fused) and scattered into each image's plane of y. at: the phase arrays, V, M, U, the packed U, scratch.
     */
    private static void emitF4Vector(EmitContext ctx, Node n, String name, ConvDims d, String filters,
                                     WinogradLayout l, Node pool, boolean bias, boolean relu, Node mask,
                                     long[] at) {
        long planeAt = at[0], vAt = at[1], mAt = at[2], uAt = at[3], uPackAt = at[4], scratchAt = at[5];
        String x = ctx.buf(ctx.input(n, 0)), y = ctx.buf(n);
        int batch = n.shape().dim(0), c = d.c(), k = d.o(), h = d.in().get(0), w = d.in().get(1);
        int ho = d.out().get(0), wo = d.out().get(1), pt = d.g().padLow().get(0), pl = d.g().padLow().get(1);
        int tiles = l.tiles(), ld = l.rowStride();
        long vXi = blockStride(c, ld), mXi = blockStride(k, ld);
        CodeBlock.Builder b = prologue(ctx, name, filters, "the phase arrays", planeAt, vAt, uAt, uPackAt, d, l);
        b.add("// V[ξ][c][j] = (Bᵀ d B)[ξ] for each tile j of this image's channel c, a vector of positions"
                + " at a time\n");
        addPhaseCopy(ctx, name + "_phases", h, w, pt, pl, l, planeAt);
        b.addStatement("$L_phases($L, (n0 + i) * $L + c * $L, col)", name, x, c * h * w, h * w);
        b.addStatement("$T.inputTransform(col, $L, $L, $L, $L + c * $L + i * $L, $L)", ctx.winogradF4, planeAt,
                l.tilesHigh(), l.tilesWide(), vAt, ld, tiles, vXi);
        b.endControlFlow().endControlFlow();
        gemms(ctx, b, d, l, uPackAt, vAt, mAt);
        String epilogue = bias || relu ? ", " + ConvColumns.epilogueName(bias, relu) : "";
        String biasOf = bias ? ctx.buf(ctx.input(n, 2)) + "[k]" : "0f";
        b.beginControlFlow("for (int k = 0; k < $L; k++)", k);
        if (pool == null) {
            b.add("// y = Aᵀ M A of the chunk's tiles$L, staged in scratch rows, then into each image's plane$L\n",
                    epilogue, mask == null ? "" : ", masked by " + mask.name() + " (ReLU's backward)");
            if (mask != null) {
                b.add("// (the fused epilogue $L)\n", ctx.describe(ctx.graph.node(ctx.plan.epilogueOf(n)))
                        .replace("$", "$$"));
            }
            b.addStatement("$T.output(col, $L + k * $L, $L, images * $L, col, $L, $L, $L, $L)", ctx.winogradF4, mAt, ld,
                    mXi, tiles, scratchAt, ld, biasOf, relu);
            addScatter(ctx, name + "_scatter", 4, l, ld, ho, wo);
            b.beginControlFlow("for (int i = 0; i < images; i++)")
                    .addStatement("$L_scatter(col, $L + i * $L, $L, (n0 + i) * $L + k * $L)", name,
                            scratchAt + 24L * ld, tiles, y, k * ho * wo, ho * wo);
            if (mask != null) {
                b.addStatement("$T.maskReluBackward($L, (n0 + i) * $L + k * $L, $L, $L)", ctx.winogradF4, y,
                        k * ho * wo, ho * wo, ctx.buf(mask), ho * wo);
            }
            b.endControlFlow();
        } else {
            int pho = pool.shape().dim(2), pwo = pool.shape().dim(3);
            b.add("// fused $L: y = Aᵀ M A of the chunk's tiles$L, then each tile's four windows, into $L\n",
                    ctx.describe(pool).replace("$", "$$"), epilogue, y);
            b.addStatement("$T.outputPooled(col, $L + k * $L, $L, images * $L, col, $L, $L, $L, $L)", ctx.winogradF4,
                    mAt, ld, mXi, tiles, scratchAt, ld, biasOf, relu);
            addScatter(ctx, name + "_scatter", 2, l, ld, pho, pwo);
            b.beginControlFlow("for (int i = 0; i < images; i++)")
                    .addStatement("$L_scatter(col, $L + i * $L, $L, (n0 + i) * $L + k * $L)", name,
                            scratchAt + 40L * ld, tiles, y, k * pho * pwo, pho * pwo)
                    .endControlFlow();
        }
        b.endControlFlow();
        b.endControlFlow();
        ctx.loopMethod(n, name, batch, true, b.build());
    }

    /**
     * The start of a Winograd forward body: the input copy's region col[zeroFrom, zeroTo) zeroed ({@code what}), the
     * filters transformed into U at col[uAt..) and packed per ξ at col[uPackAt..), then the loops over chunks of
     * images, their images and channels opened.
     */
    private static CodeBlock.Builder prologue(EmitContext ctx, String name, String filters, String what, long zeroFrom,
                                              long zeroTo, long uAt, long uPackAt, ConvDims d, WinogradLayout l) {
        int a2 = l.t().alpha() * l.t().alpha(), c = d.c(), k = d.o();
        CodeBlock.Builder b = CodeBlock.builder().addStatement("float[] col = cols[worker]");
        b.add("// $L at col[$L..) is zero outside the image's positions, which every copy rewrites\n", what, zeroFrom);
        b.addStatement("$T.fill(col, $L, $L, 0f)", java.util.Arrays.class, zeroFrom, zeroTo);
        b.add("// U[ξ][k][c] = (G g Gᵀ)[ξ] per filter at col[$L..), packed per ξ at col[$L..)\n", uAt, uPackAt);
        b.addStatement("$L_filters($L, col)", name, filters);
        b.beginControlFlow("for (int xi = 0; xi < $L; xi++)", a2)
                .addStatement("$T.packA($L, $L, col, $L + xi * $L, $L, col, $L + xi * $L)", ctx.gemmClass, k, c, uAt,
                        blockStride(k, c), c, uPackAt, Gemm.packedASize(k, c))
                .endControlFlow();
        b.beginControlFlow("for (int n0 = from; n0 < to; n0 += $L)", l.chunk());
        b.addStatement("int images = Math.min($L, to - n0)", l.chunk());
        b.beginControlFlow("for (int i = 0; i < images; i++)");
        b.beginControlFlow("for (int c = 0; c < $L; c++)", c);
        return b;
    }

    /** The α² GEMMs of a chunk: M[ξ] = U[ξ] · V[ξ], rows of V and M one chunk's columns + 16 apart. */
    private static void gemms(EmitContext ctx, CodeBlock.Builder b, ConvDims d, WinogradLayout l, long uPackAt,
                              long vAt, long mAt) {
        int a2 = l.t().alpha() * l.t().alpha(), c = d.c(), k = d.o(), tiles = l.tiles(), ld = l.rowStride();
        long vXi = blockStride(c, ld), mXi = blockStride(k, ld);
        b.add("// M[ξ][k][j] = Σ_c U[ξ][k][c] · V[ξ][c][j]: $L GEMMs of $L×(images·$L)×$L\n", a2, k, tiles, c);
        // The rows of V and M run on past the chunk's last tile, so the GEMMs compute whole panels: a last partial
        // panel would be copied out of V and computed through scratch (147 columns took 8 % longer than 160).
        b.add("// whole panels of columns, the last one reading and writing past the chunk's tiles in the rows' room\n");
        b.addStatement("int columns = Math.min((images * $L + $T.NR - 1) / $T.NR * $T.NR, $L)", tiles, ctx.gemmClass,
                ctx.gemmClass, ctx.gemmClass, ld);
        b.beginControlFlow("for (int xi = 0; xi < $L; xi++)", a2)
                .addStatement("$T.multiplyStrided($L, columns, $L, col, $L + xi * $L, col, $L + xi * $L, $L, col,"
                                + " $L + xi * $L, $L, false, gemm[worker])", ctx.gemmClass, k, c, uPackAt,
                        Gemm.packedASize(k, c), vAt, vXi, ld, mAt, mXi, ld)
                .endControlFlow();
    }

    /**
     * The body of node n's weight gradient by F(m×m, 3×3), dw = Gᵀ [Σ_tiles (A dy Aᵀ) ⊙ (Bᵀ x B)] G (the transpose
     * of the forward pass {@code d}), over the images of thread {@code worker} into its partial sum; its helper
     * methods are named after {@code name}. Per chunk of images: each channel copied into the zero-padded plane and
     * its tiles transformed, V[ξ][tile][c]; each output channel's m×m tiles of dy transformed, M[ξ][o][tile]; then
     * dU[ξ] += M[ξ] · V[ξ], α² GEMMs of o × c × tiles on the micro-kernel. After the last chunk, dw += Gᵀ dU G per
     * filter, in double.
     */
    static CodeBlock weightGradient(EmitContext ctx, Node n, String name, ConvDims d, WinogradTransform t) {
        Node x = ctx.input(n, 0), dy = ctx.input(n, 1);
        int batch = x.shape().dim(0);
        WinogradLayout l = WinogradLayout.of(d, t, batch);
        int a2 = t.alpha() * t.alpha(), c = d.c(), k = d.o(), h = d.in().get(0), w = d.in().get(1);
        int ho = d.out().get(0), wo = d.out().get(1), pt = d.g().padLow().get(0), pl = d.g().padLow().get(1);
        int cols = l.columns(), tiles = l.tiles(), pw = l.planeCols();
        if (ctx.winogradF2 != null && WinogradF4.channelVectorsFit(c, k)) {
            return weightGradientChannels(ctx, n, name, d, l);
        }
        // col: the padded plane; V[ξ][tile][c]; M[ξ][o][tile]; dU[ξ][o][c]. Blocks one cache line longer than
        // their matrices, as in the forward pass.
        int ldm = l.rowStride();
        long vXi = blockStride(cols, c), mXi = blockStride(k, ldm), uXi = blockStride(k, c);
        long planeAt = 0, vAt = (long) l.planeRows() * pw, mAt = vAt + a2 * vXi + 64, uAt = mAt + a2 * mXi;
        ctx.needCol(uAt + a2 * uXi);
        addInputTransform(ctx, name + "_tiles", l, planeAt, vXi, c);
        addGradientTransform(ctx, name + "_dy_tiles", l, d, mXi);
        addFilterGradient(ctx, name + "_dw", d, t, uAt, uXi);

        CodeBlock.Builder perImage = CodeBlock.builder();
        perImage.beginControlFlow("for (int c = 0; c < $L; c++)", c);
        perImage.addStatement("int off = (n0 + i) * $L + c * $L", c * h * w, h * w);
        perImage.beginControlFlow("for (int r = 0; r < $L; r++)", h)
                .addStatement("$T.arraycopy($L, off + r * $L, col, $L + r * $L, $L)", System.class, ctx.buf(x), w,
                        planeAt + (long) pt * pw + pl, pw, w)
                .endControlFlow();
        perImage.add("// V[ξ][tile][c] = (Bᵀ x B)[ξ] for each tile of this image's channel c\n");
        perImage.addStatement("$L_tiles(col, $L + i * $L + c)", name, vAt, tiles * c);
        perImage.endControlFlow();
        perImage.beginControlFlow("for (int o = 0; o < $L; o++)", k);
        perImage.add("// M[ξ][o][tile] = (A dy Aᵀ)[ξ] for each $L×$L tile of dy's channel o (zero past its edges)\n",
                t.m(), t.m());
        perImage.addStatement("$L_dy_tiles($L, (n0 + i) * $L + o * $L, col, $L + o * $L + i * $L)", name, ctx.buf(dy),
                k * ho * wo, ho * wo, mAt, ldm, tiles);
        perImage.endControlFlow();
        return weightGradientFrame(ctx, n, name, l, vAt, perImage.build(), false, mAt, mXi, ldm, vAt, vXi, uAt, uXi);
    }

    /**
     * {@link #weightGradient} with vector transforms ({@link WinogradF2} or {@link WinogradF4}), where channels and
     * output channels are whole vectors: x and dy copied channels-last (zero-padded to whole tiles), their tiles
     * transformed a vector of channels at a time into V[ξ][tile][c] and M[ξ][tile][o], then dU[ξ] += M[ξ]ᵀ · V[ξ].
     * Tile-major V is the GEMM's B as it stands, read in place.
     */
    private static CodeBlock weightGradientChannels(EmitContext ctx, Node n, String name, ConvDims d,
                                                    WinogradLayout l) {
        Node x = ctx.input(n, 0), dy = ctx.input(n, 1);
        WinogradTransform t = l.t();
        boolean f4 = t == WinogradTransform.F4;
        int m = t.m(), a2 = t.alpha() * t.alpha(), c = d.c(), k = d.o(), h = d.in().get(0), w = d.in().get(1);
        int ho = d.out().get(0), wo = d.out().get(1), pt = d.g().padLow().get(0), pl = d.g().padLow().get(1);
        int cols = l.columns(), tiles = l.tiles(), pw = l.planeCols(), dyWide = m * l.tilesWide();
        long xAt = 0, dyAt = (long) l.planeRows() * pw * c;
        long vAt = dyAt + (long) m * l.tilesHigh() * dyWide * k;
        // dU's blocks one cache line longer than k·c: 16 KB apart at 64×64, Gᵀ dU G read a filter from one L1 set
        long vXi = blockStride(cols, c), mXi = blockStride(cols, k), uXi = blockStride(k, c);
        long mAt = vAt + a2 * vXi + 64, uAt = mAt + a2 * mXi, scratchAt = uAt + a2 * uXi;
        int tw = l.tilesWide();
        long scratch = f4 ? Math.max(WinogradF4.channelScratch(tw, c), WinogradF4.channelScratch(tw, k)) : 0;
        ctx.needCol(scratchAt + scratch);
        addFilterGradient(ctx, name + "_dw", d, t, uAt, uXi);
        ctx.type.addMethod(MethodSpec.methodBuilder(name + "_channels_last")
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .addJavadoc("x's image at x[off..) channels-last into the zero-padded plane at col[$L..).\n", xAt)
                .addParameter(float[].class, "x").addParameter(int.class, "off").addParameter(float[].class, "col")
                // a row of every channel at a time: its stores stay in L1 (channel by channel they went a whole
                // padded plane, 115 KB at 32 channels of 30×30, between stores to a line: 1.46 ms a step for the
                // small VGG's conv2, one thread, AVX-512 Zen 5)
                .beginControlFlow("for (int r = 0; r < $L; r++)", h)
                .beginControlFlow("for (int c = 0; c < $L; c++)", c)
                .beginControlFlow("for (int j = 0; j < $L; j++)", w)
                .addStatement("col[$L + ((r + $L) * $L + j + $L) * $L + c] = x[off + c * $L + r * $L + j]", xAt, pt,
                        pw, pl, c, h * w, w)
                .endControlFlow().endControlFlow().endControlFlow().build());
        ctx.type.addMethod(MethodSpec.methodBuilder(name + "_dy_channels_last")
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .addJavadoc("dy's image at dy[off..) channels-last at col[$L..), whole tiles (zero past its edges).\n",
                        dyAt)
                .addParameter(float[].class, "dy").addParameter(int.class, "off").addParameter(float[].class, "col")
                .beginControlFlow("for (int r = 0; r < $L; r++)", ho)
                .beginControlFlow("for (int o = 0; o < $L; o++)", k)
                .beginControlFlow("for (int j = 0; j < $L; j++)", wo)
                .addStatement("col[$L + (r * $L + j) * $L + o] = dy[off + o * $L + r * $L + j]", dyAt, dyWide, k,
                        ho * wo, wo)
                .endControlFlow().endControlFlow().endControlFlow().build());

        CodeBlock.Builder perImage = CodeBlock.builder()
                .addStatement("$L_channels_last($L, (n0 + i) * $L, col)", name, ctx.buf(x), c * h * w)
                .add("// V[ξ][tile][c] = (Bᵀ d B)[ξ], a vector of channels at a time\n");
        if (f4) {
            perImage.addStatement("$T.inputChannels(col, $L, $L, $L, $L, $L, col, $L + i * $L, $L, $L, $L)",
                    ctx.winogradF4, xAt, pw, c, l.tilesHigh(), l.tilesWide(), vAt, tiles * c, vXi, c, scratchAt);
        } else {
            perImage.addStatement("$T.inputChannels(col, $L, $L, $L, $L, $L, col, $L + i * $L, $L, $L)",
                    ctx.winogradF2, xAt, pw, c, l.tilesHigh(), l.tilesWide(), vAt, tiles * c, vXi, c);
        }
        perImage.addStatement("$L_dy_channels_last($L, (n0 + i) * $L, col)", name, ctx.buf(dy), k * ho * wo)
                .add("// M[ξ][tile][o] = (A dy Aᵀ)[ξ], a vector of output channels at a time\n");
        if (f4) {
            perImage.addStatement("$T.gradientChannels(col, $L, $L, $L, $L, col, $L + i * $L, $L, $L, $L)",
                    ctx.winogradF4, dyAt, k, l.tilesHigh(), l.tilesWide(), mAt, tiles * k, mXi, k, scratchAt);
        } else {
            perImage.addStatement("$T.gradientChannels(col, $L, $L, $L, $L, col, $L + i * $L, $L, $L)",
                    ctx.winogradF2, dyAt, k, l.tilesHigh(), l.tilesWide(), mAt, tiles * k, mXi, k);
        }
        return weightGradientFrame(ctx, n, name, l, vAt, perImage.build(), true, mAt, mXi, k, vAt, vXi, uAt, uXi);
    }

    /**
     * What both forms of the weight gradient share: the thread's partial sum and the copies' padding (col[0,
     * zeroTo)) cleared, dU too; its images in chunks, {@code perImage} for each (image n0 + i: x into V[ξ][tile][c],
     * dy into M[ξ]); per chunk dU[ξ][o][c] += Σ_tile M[ξ] · V[ξ][tile][c], 16 GEMMs with M[ξ] stored [o][tile]
     * (leading dimension mLd) or, when {@code mTiles}, [tile][o]; at the end dw += Gᵀ dU G.
     */
    private static CodeBlock weightGradientFrame(EmitContext ctx, Node n, String name, WinogradLayout l, long zeroTo,
                                                 CodeBlock perImage, boolean mTiles, long mAt, long mXi, long mLd,
                                                 long vAt, long vXi, long uAt, long uXi) {
        Node x = ctx.input(n, 0);
        int batch = x.shape().dim(0), a2 = l.t().alpha() * l.t().alpha(), c = x.shape().dim(1);
        int k = n.shape().dim(0), size = n.shape().size();
        CodeBlock.Builder b = CodeBlock.builder();
        ctx.partialAccumulator(b, n);
        b.addStatement("$T.fill(acc, 0, $L, 0f)", java.util.Arrays.class, size)
                .addStatement("float[] col = cols[worker]");
        b.add("// the copies' padding is zero (every image rewrites the same positions); dU starts at 0\n");
        b.addStatement("$T.fill(col, 0, $L, 0f)", java.util.Arrays.class, zeroTo);
        b.addStatement("$T.fill(col, $L, $L, 0f)", java.util.Arrays.class, uAt, uAt + a2 * uXi);
        ctx.threadImages(b, batch);
        b.beginControlFlow("for (int n0 = first; n0 < last; n0 += $L)", l.chunk());
        b.addStatement("int images = Math.min($L, last - n0)", l.chunk());
        b.beginControlFlow("for (int i = 0; i < images; i++)").add(perImage).endControlFlow();
        b.add("// dU[ξ][o][c] += Σ_tile M[ξ]$L · V[ξ][tile][c]: $L GEMMs of $L×$L×(images·$L)\n",
                mTiles ? "[tile][o]" : "[o][tile]", a2, k, c, l.tiles());
        b.beginControlFlow("for (int xi = 0; xi < $L; xi++)", a2)
                .addStatement("$T.multiply($L, false, $L, $L, images * $L, col, $L + xi * $L, $L, col, $L + xi * $L,"
                                + " $L, col, $L + xi * $L, $L, true, gemm[worker])", ctx.gemmClass, mTiles, k, c,
                        l.tiles(), mAt, mXi, mLd, vAt, vXi, c, uAt, uXi, c)
                .endControlFlow();
        b.endControlFlow();
        b.add("// dw[o, c] += Gᵀ dU[o, c] G\n");
        b.addStatement("$L_dw(col, acc)", name);
        return b.build();
    }

    /**
     * Emits {@code name(float[] dy, int at, float[] col, int m)}: every 2×2 tile of one ho×wo plane of dy at dy[at..)
     * transformed, (A dy Aᵀ)[ξ] stored at col[m + ξ·{@code xiStride} + tile]; positions past the plane read as zero.
     */
    private static void addGradientTransform(EmitContext ctx, String name, WinogradLayout l, ConvDims d,
                                             long xiStride) {
        WinogradTransform t = l.t();
        int m = t.m(), alpha = t.alpha(), ho = d.out().get(0), wo = d.out().get(1);
        double[][] a = new double[alpha][m]; // A = (Aᵀ)ᵀ
        for (int i = 0; i < alpha; i++) {
            for (int j = 0; j < m; j++) {
                a[i][j] = t.at()[j][i];
            }
        }
        CodeBlock.Builder b = CodeBlock.builder();
        b.beginControlFlow("for (int ty = 0; ty < $L; ty++)", l.tilesHigh());
        b.beginControlFlow("for (int tx = 0; tx < $L; tx++)", l.tilesWide());
        b.addStatement("int j = m + ty * $L + tx, base = at + ty * $L + tx * $L", l.tilesWide(), m * wo, m);
        boolean raggedRows = ho % m != 0, raggedColumns = wo % m != 0;
        twoSided(b, "float", "d", "p", "g", m, (i, j) -> {
            String read = "dy[base + " + (i * wo + j) + "]";
            String guard = (raggedRows && i > 0 ? "ty * " + m + " + " + i + " < " + ho : "")
                    + (raggedRows && i > 0 && raggedColumns && j > 0 ? " && " : "")
                    + (raggedColumns && j > 0 ? "tx * " + m + " + " + j + " < " + wo : "");
            return guard.isEmpty() ? read : "(" + guard + " ? " + read + " : 0f)";
        }, a, (i, j, v) -> "col[j + " + (i * alpha + j) * xiStride + "] = " + v);
        b.endControlFlow().endControlFlow();
        ctx.type.addMethod(MethodSpec.methodBuilder(name).addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .addParameter(float[].class, "dy").addParameter(int.class, "at").addParameter(float[].class, "col")
                .addParameter(int.class, "m").addCode(b.build()).build());
    }

    /**
     * Emits {@code name(float[] col, float[] acc)}: acc[o, c, 3×3] += Gᵀ dU[o, c] G for every filter, in double, one
     * filter a call of {@code name_one} ({@link #ONE_FILTER}).
     */
    private static void addFilterGradient(EmitContext ctx, String name, ConvDims d, WinogradTransform t, long uAt,
                                          long xiStride) {
        int alpha = t.alpha(), c = d.c(), k = d.o();
        double[][] gt = new double[WinogradTransform.R][alpha]; // Gᵀ
        for (int i = 0; i < WinogradTransform.R; i++) {
            for (int j = 0; j < alpha; j++) {
                gt[i][j] = t.g()[j][i];
            }
        }
        CodeBlock.Builder one = CodeBlock.builder();
        one.addStatement("int at = $L", Expr.add(String.valueOf(uAt), Expr.add(Expr.mul("k", c), "c")));
        twoSided(one, "double", "u", "s", "g", alpha, (i, j) -> "col[at + " + (i * alpha + j) * xiStride + "]", gt,
                (i, j, v) -> "acc[(k * " + c + " + c) * 9 + " + (i * 3 + j) + "] += (float) " + v);
        ctx.type.addMethod(MethodSpec.methodBuilder(name + ONE_FILTER).addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .addParameter(float[].class, "col").addParameter(float[].class, "acc").addParameter(int.class, "k")
                .addParameter(int.class, "c").addCode(one.build()).build());
        ctx.type.addMethod(MethodSpec.methodBuilder(name).addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .addParameter(float[].class, "col").addParameter(float[].class, "acc")
                .addCode(eachFilter(k, c, CodeBlock.of("$L(col, acc, k, c)", name + ONE_FILTER))).build());
    }

    /**
     * Suffix of the method that transforms one filter. A transform method called once a step with its filters' loop
     * inside reaches C2 only when that loop's back-edge count does, after about a hundred steps of the small VGG (its
     * 32×32 filters' transform ran interpreted meanwhile: 0.6–0.8 ms a step against 0.02 compiled); called once per
     * filter, the one-filter method is compiled within the first steps.
     */
    static final String ONE_FILTER = "_one";

    /** For every filter (k, c) of k × c: the statement given. */
    private static CodeBlock eachFilter(int k, int c, CodeBlock statement) {
        return CodeBlock.builder()
                .beginControlFlow("for (int k = 0; k < $L; k++)", k).beginControlFlow("for (int c = 0; c < $L; c++)", c)
                .addStatement(statement)
                .endControlFlow().endControlFlow().build();
    }

    /**
     * Floats from one ξ's block of a rows × rowLength matrix (V, M, U) to the next: one cache line more than the
     * matrix, so that the α² blocks a transform writes or reads together do not fall in one L1 set (see {@link #emit}).
     */
    private static long blockStride(int rows, int rowLength) {
        return (long) rows * rowLength + 16;
    }

    /**
     * Emits {@code name(float[] w, float[] col)}: U[ξ][k][c] = (G g Gᵀ)[ξ] of every filter, computed in double, one
     * filter a call of {@code name_one} ({@link #ONE_FILTER}).
     */
    private static void addFilterTransform(EmitContext ctx, String name, ConvDims d, FilterElement element,
                                           WinogradTransform t, long uAt, long uXi) {
        int alpha = t.alpha(), c = d.c(), k = d.o();
        CodeBlock.Builder one = CodeBlock.builder();
        twoSided(one, "double", "g", "s", "u", 3, (i, j) -> "w[" + element.at(i, j) + "]", t.g(),
                (i, j, u) -> "col[" + Expr.add(String.valueOf(uAt + (i * alpha + j) * uXi), Expr.mul("k", c))
                        + " + c] = (float) " + u);
        ctx.type.addMethod(MethodSpec.methodBuilder(name + ONE_FILTER).addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .addParameter(float[].class, "w").addParameter(float[].class, "col").addParameter(int.class, "k")
                .addParameter(int.class, "c").addCode(one.build()).build());
        ctx.type.addMethod(MethodSpec.methodBuilder(name).addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .addParameter(float[].class, "w").addParameter(float[].class, "col")
                .addCode(eachFilter(k, c, CodeBlock.of("$L(w, col, k, c)", name + ONE_FILTER))).build());
    }

    /**
     * Emits {@code name(float[] col, int v)}: every tile d of the padded plane transformed, (Bᵀ d B)[ξ] stored at
     * col[v + ξ·{@code xiStride} + j] for tile j.
     */
    private static void addInputTransform(EmitContext ctx, String name, WinogradLayout l, long planeAt,
                                          long xiStride) {
        addInputTransform(ctx, name, l, planeAt, xiStride, 1);
    }

    /** As above, tile j's values stored at col[v + ξ·xiStride + j·tileStride]. */
    private static void addInputTransform(EmitContext ctx, String name, WinogradLayout l, long planeAt,
                                          long xiStride, int tileStride) {
        WinogradTransform t = l.t();
        int alpha = t.alpha(), m = t.m(), pw = l.planeCols();
        CodeBlock.Builder b = CodeBlock.builder();
        b.beginControlFlow("for (int ty = 0; ty < $L; ty++)", l.tilesHigh());
        b.beginControlFlow("for (int tx = 0; tx < $L; tx++, v += $L)", l.tilesWide(), tileStride);
        b.addStatement("int at = $L", Expr.add(Expr.add(String.valueOf(planeAt), Expr.mul("ty", m * pw)),
                Expr.mul("tx", m)));
        twoSided(b, "float", "d", "p", "v", alpha, (i, j) -> "col[at + " + (i * pw + j) + "]", t.bt(),
                (i, j, v) -> "col[v + " + (i * alpha + j) * xiStride + "] = " + v);
        b.endControlFlow().endControlFlow();
        ctx.type.addMethod(MethodSpec.methodBuilder(name).addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .addParameter(float[].class, "col").addParameter(int.class, "v").addCode(b.build()).build());
    }

    /**
     * Emits {@code name(float[] src, int from, float[] y, int yAt)}: {@link WinogradF4#scatter} for one plane shape,
     * the m×m values of each tile (value (r, s) of tile f at src[from + (r·m + s)·stride + f]) into the ho×wo plane
     * at y[yAt..), where inside it. Rows and columns unrolled, bounds constant, as for {@link #addPhaseCopy}.
     */
    private static void addScatter(EmitContext ctx, String name, int m, WinogradLayout l, int stride, int ho, int wo) {
        int th = l.tilesHigh(), tw = l.tilesWide();
        int wholeRows = Math.min(th, ho / m), wholeColumns = Math.min(tw, wo / m);
        CodeBlock.Builder b = CodeBlock.builder();
        if (wholeRows > 0) {
            b.beginControlFlow("for (int ty = 0; ty < $L; ty++)", wholeRows);
            scatterRows(b, m, m, tw, stride, wo, wholeColumns, "ty");
            b.endControlFlow();
        }
        if (wholeRows < th && ho - m * wholeRows > 0) { // the last tile row, cut by the plane's bottom edge
            b.add("{\n").indent();
            b.addStatement("int ty = $L", wholeRows);
            scatterRows(b, m, ho - m * wholeRows, tw, stride, wo, wholeColumns, "ty");
            b.unindent().add("}\n");
        }
        ctx.type.addMethod(MethodSpec.methodBuilder(name).addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .addParameter(float[].class, "src").addParameter(int.class, "from").addParameter(float[].class, "y")
                .addParameter(int.class, "yAt").addCode(b.build()).build());
    }

    /** Rows 0 … rows − 1 of tile row ty: whole tiles in a loop, the tiles cut by the right edge by statements. */
    private static void scatterRows(CodeBlock.Builder b, int m, int rows, int tw, int stride, int wo, int wholeColumns,
                                    String ty) {
        for (int r = 0; r < rows; r++) {
            b.add("{\n").indent();
            String row = Expr.add("yAt", Expr.add(Expr.mul(ty, m * wo), String.valueOf(r * wo)));
            b.addStatement("int row = $L, f = $L", row,
                    Expr.add(Expr.add("from", Expr.mul(ty, tw)), String.valueOf(r * m * stride)));
            if (wholeColumns > 0) {
                b.beginControlFlow("for (int tx = 0; tx < $L; tx++)", wholeColumns);
                for (int c = 0; c < m; c++) {
                    b.addStatement("y[$L] = src[$L]", Expr.add("row + " + m + " * tx", String.valueOf(c)),
                            Expr.add("f + tx", String.valueOf(c * stride)));
                }
                b.endControlFlow();
            }
            for (int tx = wholeColumns; tx < tw; tx++) {
                for (int c = 0; c < m && m * tx + c < wo; c++) {
                    b.addStatement("y[$L] = src[$L]", Expr.add("row", String.valueOf(m * tx + c)),
                            Expr.add("f", String.valueOf(tx + c * stride)));
                }
            }
            b.unindent().add("}\n");
        }
    }

    /**
     * Emits {@code name(float[] x, int xAt, float[] col)}: the h×w plane at x[xAt..) into F(4×4)'s six phase arrays at
     * col[phases..), the positions {@link WinogradF4}'s own copy writes, for this one plane shape. Each row's tiles
     * whose six columns all lie inside the image are one loop of six stores a tile; the tiles at the edges are
     * statements of their own. With the bounds constant, C2 unrolls what the general copy loops over (about twice as
     * fast on a 28×28 plane).
     */
    private static void addPhaseCopy(EmitContext ctx, String name, int h, int w, int pt, int pl, WinogradLayout l,
                                     long phases) {
        int th = l.tilesHigh(), tw = l.tilesWide(), size = WinogradF4.phaseSize(th, tw);
        // tile columns whose six columns 4tx − pl … 4tx − pl + 5 all lie in [0, w)
        int inFirst = Math.floorDiv(pl + 3, 4), inLast = Math.min(tw - 1, Math.floorDiv(w - 6 + pl, 4));
        CodeBlock.Builder b = CodeBlock.builder();
        b.add("// array b holds padded column 4tx + b of each padded row r, in slot (r mod 4)·$L + r div 4\n", th + 1);
        b.beginControlFlow("for (int i = 0; i < $L; i++)", h);
        b.addStatement("int r = i + $L, dst = $L, row = $L", pt,
                Expr.add(String.valueOf(phases), "((r & 3) * " + (th + 1) + " + (r >> 2)) * " + tw),
                Expr.add("xAt + i * " + w, String.valueOf(-pl)));
        if (inFirst <= inLast) {
            b.beginControlFlow("for (int tx = $L; tx <= $L; tx++)", inFirst, inLast);
            b.addStatement("int at = row + 4 * tx, d = dst + tx");
            for (int ph = 0; ph < 6; ph++) {
                b.addStatement("col[$L] = x[$L]", Expr.add("d", String.valueOf(ph * size)),
                        Expr.add("at", String.valueOf(ph)));
            }
            b.endControlFlow();
        }
        for (int tx = 0; tx < tw; tx++) {
            if (tx >= inFirst && tx <= inLast) {
                continue;
            }
            for (int ph = 0; ph < 6; ph++) {
                int column = 4 * tx + ph - pl;
                if (column >= 0 && column < w) {
                    b.addStatement("col[$L] = x[$L]", Expr.add("dst", String.valueOf(tx + ph * size)),
                            Expr.add("row", String.valueOf(4 * tx + ph)));
                }
            }
        }
        b.endControlFlow();
        ctx.type.addMethod(MethodSpec.methodBuilder(name).addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .addParameter(float[].class, "x").addParameter(int.class, "xAt").addParameter(float[].class, "col")
                .addCode(b.build()).build());
    }

    /**
     * Emits {@code name(float[] col, int mk, float[] y, int yk, float bias)}: the tiles of one output channel of one
     * image, y = Aᵀ M A from M[ξ] at col[mk + ξ·{@code xiStride} + j], written at y[yk..) through the epilogue;
     * tiles past the last full one keep only their positions inside y.
     */
    private static void addOutputTransform(EmitContext ctx, String name, WinogradLayout l, ConvDims dims,
                                           long xiStride, boolean bias, boolean relu) {
        WinogradTransform t = l.t();
        int alpha = t.alpha(), m = t.m(), ho = dims.out().get(0), wo = dims.out().get(1);
        CodeBlock.Builder b = CodeBlock.builder();
        b.beginControlFlow("for (int ty = 0; ty < $L; ty++)", l.tilesHigh());
        b.beginControlFlow("for (int tx = 0; tx < $L; tx++)", l.tilesWide());
        b.addStatement("int j = mk + ty * $L + tx", l.tilesWide());
        String[][] out = twoSided(b, "float", "m", "q", "o", alpha,
                (i, j) -> "col[j + " + (i * alpha + j) * xiStride + "]", t.at(), null);
        b.addStatement("int at = yk + ty * $L + tx * $L", m * wo, m);
        boolean ragged = ho % m != 0 || wo % m != 0;
        if (ragged) {
            b.beginControlFlow("if (ty < $L && tx < $L)", ho / m, wo / m);
        }
        store(b, "y", out, m, wo, bias, relu, null);
        if (ragged) {
            b.nextControlFlow("else");
            b.addStatement("int rows = Math.min($L, $L - ty * $L), columns = Math.min($L, $L - tx * $L)", m, ho, m, m,
                    wo, m);
            store(b, "y", out, m, wo, bias, relu, "rows");
            b.endControlFlow();
        }
        b.endControlFlow().endControlFlow();
        ctx.type.addMethod(MethodSpec.methodBuilder(name).addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .addParameter(float[].class, "col").addParameter(int.class, "mk").addParameter(float[].class, "y")
                .addParameter(int.class, "yk").addParameter(float.class, "bias").addCode(b.build()).build());
    }

    /** Stores the m×m output tile, each element through the epilogue; guarded by rows and columns when given. */
    private static void store(CodeBlock.Builder b, String y, String[][] out, int m, int wo, boolean bias, boolean relu,
                              String guard) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < m; j++) {
                String statement = y + "[at + " + (i * wo + j) + "] = " + ConvColumns.epilogue(out[i][j], bias, relu);
                if (guard == null || (i == 0 && j == 0)) {
                    b.addStatement("$L", statement);
                } else {
                    b.addStatement("if ($L > $L && columns > $L) $L", guard, i, j, statement);
                }
            }
        }
    }

    /** The Java expression reading element (i, j) of a transform's input. */
    interface Load {
        String at(int i, int j);
    }

    /** The statement storing element (i, j) of a transform's result, held in local {@code value}. */
    interface Store {
        String at(int i, int j, String value);
    }

    /**
     * Emits X = L · D · Lᵀ for a matrix L of constants (rows(L) × {@code inner}) and D ({@code inner} × inner, read
     * through {@code load}): column by column, D's column loaded into locals named {@code in} and P = L · D's column
     * computed (locals named {@code mid}); then row by row X = P · Lᵀ (locals named {@code result}), each element
     * stored at once through {@code store} when one is given. That order keeps few values live: all of D and P at
     * once would spill registers at α = 6. Terms with a zero coefficient are left out. Returns X's local names.
     */
    private static String[][] twoSided(CodeBlock.Builder b, String type, String in, String mid, String result,
                                       int inner, Load load, double[][] l, Store store) {
        int rows = l.length;
        String[][] p = new String[rows][inner];
        for (int j = 0; j < inner; j++) {
            String[] column = new String[inner];
            for (int a = 0; a < inner; a++) {
                column[a] = in + a + "_" + j;
                b.addStatement("$L $L = $L", type, column[a], load.at(a, j));
            }
            for (int i = 0; i < rows; i++) {
                p[i][j] = mid + i + "_" + j;
                b.addStatement("$L $L = $L", type, p[i][j], combination(l[i], column, type));
            }
        }
        String[][] x = new String[rows][rows];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < rows; j++) {
                x[i][j] = result + i + "_" + j;
                b.addStatement("$L $L = $L", type, x[i][j], combination(l[j], p[i], type));
                if (store != null) {
                    b.addStatement("$L", store.at(i, j, x[i][j]));
                }
            }
        }
        return x;
    }

    /** Σ coefficient[a] · value[a] over the non-zero coefficients, as a Java expression (1 and −1 unmultiplied). */
    static String combination(double[] coefficient, String[] value, String type) {
        StringBuilder s = new StringBuilder();
        for (int a = 0; a < coefficient.length; a++) {
            double c = coefficient[a];
            if (c == 0) {
                continue;
            }
            boolean negative = c < 0;
            double magnitude = Math.abs(c);
            if (s.length() == 0) {
                s.append(negative ? "-" : "");
            } else {
                s.append(negative ? " - " : " + ");
            }
            if (magnitude != 1) {
                s.append(type.equals("double") ? Double.toString(magnitude) : EmitContext.floatLiteral(magnitude))
                        .append(" * ");
            }
            s.append(value[a]);
        }
        return s.length() == 0 ? (type.equals("double") ? "0.0" : "0f") : s.toString();
    }
}
