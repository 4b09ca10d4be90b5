package dev.convj.codegen.emit;

import static dev.convj.codegen.emit.ConvColumns.*;

import com.palantir.javapoet.CodeBlock;
import dev.convj.codegen.kernels.Gemm;
import dev.convj.codegen.kernels.WinogradF4;
import dev.convj.codegen.plan.ConvAlgorithm;
import dev.convj.codegen.plan.ConvCostModel;
import dev.convj.codegen.plan.ConvDims;
import dev.convj.codegen.plan.ConvPlan;
import dev.convj.codegen.plan.KernelBand;
import dev.convj.codegen.plan.PaddedImage;
import dev.convj.codegen.plan.WinogradTransform;
import dev.convj.graph.Node;
import dev.convj.graph.ops.Conv;
import dev.convj.graph.ops.ConvGeometry;

/**
 * A convolution's forward pass, y = conv(x, w) (+ bias, + a fused ReLU), as its {@link ConvAlgorithm} says: a packed
 * GEMM per image (images split across threads) over x itself (pointwise), over an implicit column matrix read in
 * place from the zero-padded image ({@link ImplicitConvEmitter}), or over an explicit one (im2col).
 */
final class ConvForwardEmitter {
    private ConvForwardEmitter() {}

    /**
     * Whether convolution {@code conv}'s forward code can also compute a 2×2, stride-2 max pool of its result in its
     * epilogue: the implicit GEMM, the channels-in-lanes, the gathered and the Winograd forms of a 2-D convolution can.
     */
    static boolean poolsInEpilogue(ConvPlan convPlan, Node conv) {
        if (!(conv.op() instanceof Conv) || conv.shape().rank() != 4) {
            return false;
        }
        ConvAlgorithm algorithm = convPlan.of(conv).algorithm();
        // F(2×2, 3×3)'s output tiles are the pool's windows; F(4×4)'s hold four whole ones each, which only its
        // vector transforms pool (the emitted scalar ones store every output)
        return algorithm.winograd() == null
                ? algorithm == ConvAlgorithm.IMPLICIT_GEMM || algorithm == ConvAlgorithm.CHANNEL_VECTORS
                        || algorithm == ConvAlgorithm.GATHER_GEMM
                : algorithm.winograd() == WinogradTransform.F2 || WinogradF4.bits() > 0;
    }

    static void emit(EmitContext ctx, Node n, ConvGeometry g) {
        Node x = ctx.input(n, 0), w = ctx.input(n, 1);
        ConvDims d = ConvDims.of(g, x.shape(), w.shape(), n.shape());
        ConvAlgorithm algorithm = ctx.convPlan.of(n).algorithm();
        if (algorithm.winograd() != null) {
            // w[k, c, i, j]
            WinogradConvEmitter.emit(ctx, n, d, ctx.buf(w), (i, j) -> "(k * " + d.c() + " + c) * 9 + " + (i * 3 + j),
                    algorithm.winograd());
            return;
        }
        // a standalone class's kernel may have other lanes than this JVM's: gathered tiles take the im2col GEMM there
        if (algorithm == ConvAlgorithm.GATHER_GEMM && !ctx.standalone) {
            GatherConvEmitter.forward(ctx, n, d, ctx.buf(w));
            return;
        }
        if (algorithm == ConvAlgorithm.CHANNEL_VECTORS && !ctx.standalone) {
            ImplicitConvEmitter.emitChannelVectors(ctx, n, d, ctx.buf(w));
            return;
        }
        // a standalone class's kernel may have fewer lanes than the output channels: it takes the implicit GEMM
        if (algorithm == ConvAlgorithm.IMPLICIT_GEMM || algorithm == ConvAlgorithm.CHANNEL_VECTORS) {
            ImplicitConvEmitter.emit(ctx, n, d, ctx.buf(w), 0, null, null);
            return;
        }
        boolean pointwise = algorithm == ConvAlgorithm.POINTWISE;
        String name = ctx.methodName(n);
        String y = ctx.buf(n);
        CodeBlock.Builder b = CodeBlock.builder();
        if (!pointwise) {
            b.addStatement("float[] col = cols[worker]");
            ctx.needCol((long) d.kg() * d.outSize() + (d.padded() ? PaddedImage.of(d).floats(d.cg()) : 0));
            // Plain rows: contiguous copies here and in the GEMM's packing beat writing packed panels directly.
            addRowIm2col(ctx, name + "_im2col", d);
        }
        b.beginControlFlow("for (int n = from; n < to; n++)");
        for (int group = 0; group < g.groups(); group++) {
            String xAt = Expr.add(Expr.mul("n", d.c() * d.inSize()), group * d.cg() * d.inSize());
            String yAt = Expr.add(Expr.mul("n", d.o() * d.outSize()), group * d.og() * d.outSize());
            if (pointwise) {
                b.add("// 1×1 kernel at unit stride: x[n] is already the column matrix\n");
                b.addStatement("$T.multiply(false, false, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L, false,"
                                + " gemm[worker])", ctx.gemmClass, d.og(), d.outSize(), d.kg(), ctx.buf(w),
                        group * d.og() * d.kg(), d.kg(), ctx.buf(x), xAt, d.outSize(), y, yAt, d.outSize());
            } else {
                b.addStatement("$L_im2col($L, $L, col)", name, ctx.buf(x), xAt);
                b.add("// y[o, p] = Σ_(c,q) w[o, (c,q)] · col[(c,q), p]: a GEMM of $L×$L×$L\n", d.og(), d.outSize(),
                        d.kg());
                b.addStatement("$T.multiply(false, false, $L, $L, $L, $L, $L, $L, col, 0, $L, $L, $L, $L, false,"
                                + " gemm[worker])", ctx.gemmClass, d.og(), d.outSize(), d.kg(), ctx.buf(w),
                        group * d.og() * d.kg(), d.kg(), d.outSize(), y, yAt, d.outSize());
            }
        }
        boolean bias = n.inputs().size() == 3;
        boolean relu = ctx.plan.epilogueOf(n) >= 0;
        if (bias || relu) {
            b.add("// epilogue while the image is in cache: $L\n", epilogueName(bias, relu));
            b.beginControlFlow("for (int o = 0; o < $L; o++)", d.o());
            b.addStatement("int at = n * $L + o * $L", d.o() * d.outSize(), d.outSize());
            if (bias) {
                b.addStatement("float bias = $L[o]", ctx.buf(ctx.input(n, 2)));
            }
            b.beginControlFlow("for (int p = at; p < at + $L; p++)", d.outSize());
            b.addStatement("$L[p] = $L", y, epilogue(y + "[p]", bias, relu));
            b.endControlFlow().endControlFlow();
        }
        b.endControlFlow();
        ctx.loopMethod(n, name, n.shape().dim(0), true, b.build());
    }
}
