package dev.convj.codegen.emit;

import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.MethodSpec;
import dev.convj.codegen.kernels.Gemm;
import dev.convj.codegen.kernels.WinogradF2;
import dev.convj.codegen.plan.ConvDims;
import dev.convj.codegen.plan.WinogradLayout;
import dev.convj.codegen.plan.WinogradTransform;
import dev.convj.graph.Node;
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
        int cols = l.columns(), tiles = l.tiles(), pw = l.planeCols();
        int packed = Gemm.packedASize(k, c);
        // col: the padded plane, the transformed tiles V[ξ][c][j] (+ room for the GEMM's reads past a row's last
        // column), the products M[ξ][k][j], the packed filters per ξ; the unpacked U goes where V and M will be when
        // it fits there, else behind the packed filters.
        // Each ξ's block is one cache line longer than its matrix: blocks of a power-of-two size would put the α²
        // streams of a tile's transform in one L1 set (64 channels × 128 columns: 32 KB apart), thrashing it.
        // Rows likewise, for the GEMM's reads down a panel of V.
        int ld = cols + 16;
        long vXi = (long) c * ld + 16, mXi = (long) k * ld + 16;
        long planeAt = 0, vAt = (long) l.planeRows() * pw, mAt = vAt + a2 * vXi + 64;
        long uPackAt = mAt + a2 * mXi, uAt = (long) a2 * k * c <= uPackAt - vAt ? vAt
                : uPackAt + (long) a2 * packed;
        // F(2×2)'s vector transforms, where the Vector API runs: a deinterleaved plane, 64 floats of output scratch
        boolean vector = ctx.winogradF2 != null && t == WinogradTransform.F2 && WinogradF2.bits() > 0;
        long scratchAt = Math.max(uPackAt + (long) a2 * packed, uAt + (long) a2 * k * c);
        ctx.needCol(scratchAt + 64);
        boolean bias = n.inputs().size() == 3, relu = ctx.plan.epilogueOf(n) >= 0;

        addFilterTransform(ctx, name + "_filters", d, element, t, uAt);
        if (!vector) {
            addInputTransform(ctx, name + "_tiles", l, planeAt, vXi);
            addOutputTransform(ctx, name + "_untile", l, d, mXi, bias, relu);
        }

        CodeBlock.Builder b = CodeBlock.builder().addStatement("float[] col = cols[worker]");
        b.add("// the padded plane at col[$L..) is zero outside the image's positions, which every copy rewrites\n",
                planeAt);
        b.addStatement("$T.fill(col, $L, $L, 0f)", java.util.Arrays.class, planeAt, vAt);
        b.add("// U[ξ][k][c] = (G g Gᵀ)[ξ] per filter at col[$L..), packed per ξ at col[$L..)\n", uAt, uPackAt);
        b.addStatement("$L_filters($L, col)", name, filters);
        b.beginControlFlow("for (int xi = 0; xi < $L; xi++)", a2)
                .addStatement("$T.packA($L, $L, col, $L + xi * $L, $L, col, $L + xi * $L)", ctx.gemmClass, k, c, uAt,
                        k * c, c, uPackAt, packed)
                .endControlFlow();

        b.beginControlFlow("for (int n0 = from; n0 < to; n0 += $L)", l.chunk());
        b.addStatement("int images = Math.min($L, to - n0)", l.chunk());
        b.beginControlFlow("for (int i = 0; i < images; i++)");
        b.beginControlFlow("for (int c = 0; c < $L; c++)", c);
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

        b.add("// M[ξ][k][j] = Σ_c U[ξ][k][c] · V[ξ][c][j]: $L GEMMs of $L×(images·$L)×$L\n", a2, k, tiles, c);
        b.beginControlFlow("for (int xi = 0; xi < $L; xi++)", a2)
                .addStatement("$T.multiplyStrided($L, images * $L, $L, col, $L + xi * $L, col, $L + xi * $L, $L, col,"
                                + " $L + xi * $L, $L, false, gemm[worker])", ctx.gemmClass, k, tiles, c, uPackAt, packed,
                        vAt, vXi, ld, mAt, mXi, ld)
                .endControlFlow();

        b.add("// y = Aᵀ M A per tile$L\n", bias || relu ? ", " + ConvColumns.epilogueName(bias, relu) : "");
        b.beginControlFlow("for (int i = 0; i < images; i++)");
        b.beginControlFlow("for (int k = 0; k < $L; k++)", k);
        if (vector) {
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

    /** Emits {@code name(float[] w, float[] col)}: U[ξ][k][c] = (G g Gᵀ)[ξ] of every filter, computed in double. */
    private static void addFilterTransform(EmitContext ctx, String name, ConvDims d, FilterElement element,
                                           WinogradTransform t, long uAt) {
        int alpha = t.alpha(), c = d.c(), k = d.o();
        CodeBlock.Builder b = CodeBlock.builder();
        b.beginControlFlow("for (int k = 0; k < $L; k++)", k).beginControlFlow("for (int c = 0; c < $L; c++)", c);
        twoSided(b, "double", "g", "s", "u", 3, (i, j) -> "w[" + element.at(i, j) + "]", t.g(),
                (i, j, u) -> "col[" + Expr.add(String.valueOf(uAt + (long) (i * alpha + j) * k * c), Expr.mul("k", c))
                        + " + c] = (float) " + u);
        b.endControlFlow().endControlFlow();
        ctx.type.addMethod(MethodSpec.methodBuilder(name).addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .addParameter(float[].class, "w").addParameter(float[].class, "col").addCode(b.build()).build());
    }

    /**
     * Emits {@code name(float[] col, int v)}: every tile d of the padded plane transformed, (Bᵀ d B)[ξ] stored at
     * col[v + ξ·{@code xiStride} + j] for tile j.
     */
    private static void addInputTransform(EmitContext ctx, String name, WinogradLayout l, long planeAt,
                                          long xiStride) {
        WinogradTransform t = l.t();
        int alpha = t.alpha(), m = t.m(), pw = l.planeCols();
        CodeBlock.Builder b = CodeBlock.builder();
        b.beginControlFlow("for (int ty = 0; ty < $L; ty++)", l.tilesHigh());
        b.beginControlFlow("for (int tx = 0; tx < $L; tx++, v++)", l.tilesWide());
        b.addStatement("int at = $L", Expr.add(Expr.add(String.valueOf(planeAt), Expr.mul("ty", m * pw)),
                Expr.mul("tx", m)));
        twoSided(b, "float", "d", "p", "v", alpha, (i, j) -> "col[at + " + (i * pw + j) + "]", t.bt(),
                (i, j, v) -> "col[v + " + (i * alpha + j) * xiStride + "] = " + v);
        b.endControlFlow().endControlFlow();
        ctx.type.addMethod(MethodSpec.methodBuilder(name).addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .addParameter(float[].class, "col").addParameter(int.class, "v").addCode(b.build()).build());
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
