package dev.convj.codegen.emit;

import com.palantir.javapoet.CodeBlock;
import dev.convj.graph.Node;
import dev.convj.graph.ops.ConvGeometry;
import dev.convj.graph.ops.TiledGeometry;
import java.util.List;

/**
 * Tiled (and locally connected) convolution and its two gradients as direct loops: the weights change with the
 * output position, so there is no shared matrix to hand to GEMM. A precomputed table maps (output position,
 * kernel tap) to the input position read (or −1 in the padding), and another gives each position's tile.
 */
final class TiledConvEmitter {
    private TiledConvEmitter() {}

    enum Pass { FORWARD, TRANSPOSE, WEIGHT_GRAD }

    /**
     * @param bigSpatial   the convolution's input extents
     * @param smallSpatial its output extents
     * @param kernel       its kernel extents
     */
    static void emit(EmitContext ctx, Node n, TiledGeometry tg, Pass pass, int channels, int filters,
                     List<Integer> bigSpatial, List<Integer> smallSpatial, List<Integer> kernel) {
        ConvGeometry g = tg.conv();
        int r = g.spatialRank();
        int in = product(bigSpatial), out = product(smallSpatial), taps = product(kernel), tiles = product(tg.tiles());
        int cg = channels / g.groups(), og = filters / g.groups();
        int[] map = new int[out * taps];
        int[] tileOf = new int[out];
        int[] p = new int[r], q = new int[r];
        for (int po = 0; po < out; po++) {
            decode(po, smallSpatial, p);
            for (int a = 0; a < r; a++) {
                tileOf[po] = tileOf[po] * tg.tiles().get(a) + p[a] % tg.tiles().get(a);
            }
            for (int qk = 0; qk < taps; qk++) {
                decode(qk, kernel, q);
                int flat = 0;
                for (int a = 0; a < r && flat >= 0; a++) {
                    int pos = p[a] * g.stride().get(a) - g.padLow().get(a) + q[a] * g.dilation().get(a);
                    flat = pos < 0 || pos >= bigSpatial.get(a) ? -1 : flat * bigSpatial.get(a) + pos;
                }
                map[po * taps + qk] = flat;
            }
        }
        String name = ctx.methodName(n);
        String mapName = ctx.constantArray(name.toUpperCase() + "_MAP", map);
        String tileName = ctx.constantArray(name.toUpperCase() + "_TILE", tileOf);
        String wIndex = "((o * " + tiles + " + " + tileName + "[p]) * " + cg + " + c) * " + taps + " + q";
        Node first = ctx.input(n, 0), second = ctx.input(n, 1);
        Loops loops = new Loops(filters, channels * in, og, cg * in, out, cg, taps, mapName);
        switch (pass) {
            case FORWARD -> {
                String x = ctx.buf(first), w = ctx.buf(second), y = ctx.buf(n);
                String bias = n.inputs().size() == 3 ? ctx.buf(ctx.input(n, 2)) : null;
                CodeBlock b = loops.build("n = from; n < to",
                        CodeBlock.builder().build(),
                        CodeBlock.of("float acc = $L;\n",
                                bias == null ? "0f" : bias + "[o * " + tiles + " + " + tileName + "[p]]"),
                        CodeBlock.of("acc += $L[xBase + c * $L + at] * $L[$L];\n", x, in, w, wIndex),
                        CodeBlock.of("$L[(n * $L + o) * $L + p] = acc;\n", y, filters, out));
                ctx.loopMethod(n, name, n.shape().dim(0), true, b);
            }
            case TRANSPOSE -> {
                String dy = ctx.buf(first), w = ctx.buf(second), x = ctx.buf(n);
                CodeBlock b = loops.build("n = from; n < to",
                        CodeBlock.of("$T.fill($L, n * $L, (n + 1) * $L, 0f);\n", java.util.Arrays.class, x,
                                channels * in, channels * in),
                        CodeBlock.of("float d = $L[(n * $L + o) * $L + p];\n", dy, filters, out),
                        CodeBlock.of("$L[xBase + c * $L + at] += d * $L[$L];\n", x, in, w, wIndex),
                        CodeBlock.builder().build());
                ctx.loopMethod(n, name, n.shape().dim(0), true, b);
            }
            case WEIGHT_GRAD -> {
                // One thread: the sum runs over images into one weight-sized result.
                String x = ctx.buf(first), dy = ctx.buf(second), dw = ctx.buf(n);
                CodeBlock b = CodeBlock.builder()
                        .addStatement("$T.fill($L, 0, $L, 0f)", java.util.Arrays.class, dw, n.shape().size())
                        .add(loops.build("n = 0; n < " + first.shape().dim(0),
                                CodeBlock.builder().build(),
                                CodeBlock.of("float d = $L[(n * $L + o) * $L + p];\n", dy, filters, out),
                                CodeBlock.of("$L[$L] += d * $L[xBase + c * $L + at];\n", dw, wIndex, x, in),
                                CodeBlock.builder().build()))
                        .build();
                ctx.loopMethod(n, name, 1, false, b);
            }
        }
    }

    /** The loop nest shared by the three passes: images, filters, output positions, channels, kernel taps. */
    private record Loops(int filters, int imageSize, int og, int groupSize, int out, int cg, int taps, String map) {
        CodeBlock build(String images, CodeBlock perImage, CodeBlock perPosition, CodeBlock perTap, CodeBlock after) {
            return CodeBlock.builder()
                    .beginControlFlow("for (int $L; n++)", images)
                    .add(perImage)
                    .beginControlFlow("for (int o = 0; o < $L; o++)", filters)
                    .addStatement("int xBase = n * $L + (o / $L) * $L", imageSize, og, groupSize)
                    .beginControlFlow("for (int p = 0; p < $L; p++)", out)
                    .add(perPosition)
                    .beginControlFlow("for (int c = 0; c < $L; c++)", cg)
                    .beginControlFlow("for (int q = 0; q < $L; q++)", taps)
                    .addStatement("int at = $L[p * $L + q]", map, taps)
                    .beginControlFlow("if (at >= 0)")
                    .add(perTap)
                    .endControlFlow().endControlFlow().endControlFlow()
                    .add(after)
                    .endControlFlow().endControlFlow().endControlFlow()
                    .build();
        }
    }

    private static int product(List<Integer> v) {
        return v.stream().reduce(1, (a, b) -> a * b);
    }

    private static void decode(int flat, List<Integer> extents, int[] out) {
        for (int i = extents.size() - 1; i >= 0; i--) {
            out[i] = flat % extents.get(i);
            flat /= extents.get(i);
        }
    }
}
