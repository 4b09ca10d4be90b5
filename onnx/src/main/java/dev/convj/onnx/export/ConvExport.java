package dev.convj.onnx.export;

import static dev.convj.onnx.export.OnnxGraphWriter.integer;
import static dev.convj.onnx.export.OnnxGraphWriter.ints;

import dev.convj.graph.Node;
import dev.convj.graph.ops.Conv;
import dev.convj.graph.ops.ConvGeometry;
import dev.convj.graph.ops.ConvTranspose;
import dev.convj.graph.ops.TiledConv;
import dev.convj.graph.ops.TiledGeometry;
import java.util.ArrayList;
import java.util.List;

/** The convolution family: Conv, ConvTranspose, and tiled or locally connected convolutions composed exactly. */
final class ConvExport {
    private final GraphTranslation t;

    ConvExport(GraphTranslation t) {
        this.t = t;
    }

    /**
     * Conv with ONNX's pads [x1_begin, x2_begin, …, x1_end, x2_end]. A negative amount after an axis (a crop: the
     * last positions are never read) is not an ONNX pad, so the input is sliced to the positions read instead.
     */
    String conv(Node n, Conv op) {
        Node x = t.in(n, 0), w = t.in(n, 1);
        ConvGeometry g = op.geometry();
        String input = cropped(n, x, g);
        List<String> operands = new ArrayList<>(List.of(input, t.tensor(w)));
        if (n.inputs().size() == 3) {
            operands.add(t.inTensor(n, 2));
        }
        return t.out().node("Conv", t.own(n), operands, ints("kernel_shape", w.shape().tail(2)),
                ints("strides", g.stride()), ints("pads", pads(g.padLow(), nonNegative(g.padHigh()))),
                ints("dilations", g.dilation()), integer("group", g.groups()));
    }

    /**
     * ConvTranspose: output position i is position i + p_low of the full transposed convolution, whose length is
     * (n−1)·s + d(k−1) + 1; ONNX crops pads_begin = p_low and pads_end from it, and output_padding extends it when the
     * output reaches past its end.
     */
    String transposed(Node n, ConvTranspose op) {
        Node y = t.in(n, 0), w = t.in(n, 1);
        ConvGeometry g = op.geometry();
        int r = g.spatialRank();
        List<Integer> kernel = w.shape().tail(2), end = new ArrayList<>(), outputPadding = new ArrayList<>();
        for (int i = 0; i < r; i++) {
            int full = (y.shape().dim(2 + i) - 1) * g.stride().get(i) + g.dilation().get(i) * (kernel.get(i) - 1) + 1;
            int after = full - g.padLow().get(i) - op.outputSpatial().get(i);
            end.add(Math.max(after, 0));
            outputPadding.add(Math.max(-after, 0));
        }
        boolean padAfter = false;
        for (int i = 0; i < r; i++) {
            padAfter |= outputPadding.get(i) >= g.stride().get(i);
        }
        List<String> operands = new ArrayList<>(List.of(t.tensor(y), t.tensor(w)));
        if (n.inputs().size() == 3 && !padAfter) {
            operands.add(t.inTensor(n, 2));
        }
        if (!padAfter) {
            return t.out().node("ConvTranspose", t.own(n), operands, ints("kernel_shape", kernel),
                    ints("strides", g.stride()), ints("pads", pads(g.padLow(), end)), ints("dilations", g.dilation()),
                    integer("group", g.groups()), ints("output_padding", outputPadding));
        }
        // ONNX Runtime takes output padding below the stride only (PyTorch: below the stride or the dilation). The
        // positions it adds lie past every kernel tap and hold only the bias, so: zeros padded after, then the bias.
        String core = t.out().node("ConvTranspose", t.helper(n, "core"), operands, ints("kernel_shape", kernel),
                ints("strides", g.stride()), ints("pads", pads(g.padLow(), end)), ints("dilations", g.dilation()),
                integer("group", g.groups()));
        long[] padding = new long[2 * (r + 2)];
        for (int i = 0; i < r; i++) {
            padding[r + 2 + 2 + i] = outputPadding.get(i);
        }
        boolean biased = n.inputs().size() == 3;
        String padded = t.out().node("Pad", biased ? t.helper(n, "padded") : t.own(n), List.of(core,
                t.out().longs(n.name() + "/output_padding", padding)));
        if (!biased) {
            return padded;
        }
        List<Long> column = new ArrayList<>(List.of((long) n.shape().dim(1)));
        for (int i = 0; i < r; i++) {
            column.add(1L);
        }
        String bias = t.out().node("Reshape", t.helper(n, "bias"), List.of(t.inTensor(n, 2),
                t.out().longs(n.name() + "/bias_shape", toArray(column))));
        return t.out().node("Add", t.own(n), List.of(padded, bias));
    }

    /**
     * A tiled convolution (locally connected when the tiles are the output size) in exact ONNX terms: a grouped Conv
     * with one-hot kernels gathers every input patch, P[n, c·K + q, p] = x[n, c, p·s − p_low + q·d]; an Einsum then
     * applies the kernel set of each output position's tile, viewing position p as (a, u) with p = a·t + u:
     * <pre>y[n, o, a, u] = Σ_j P[n, j, a, u] · W[o, u, j]   (per axis, j = (c, q))</pre>
     * plus the bias [O, *t], and the result is reshaped back to [N, O, *out].
     */
    String tiled(Node n, TiledConv op) {
        TiledGeometry geometry = op.geometry();
        ConvGeometry g = geometry.conv();
        Node x = t.in(n, 0), w = t.in(n, 1);
        if (g.groups() != 1) {
            throw GraphTranslation.refusal(n, "a tiled convolution with " + g.groups() + " channel groups has no exact "
                    + "ONNX composition here; use groups = 1");
        }
        int r = g.spatialRank(), channels = x.shape().dim(1), filters = w.shape().dim(0);
        List<Integer> kernel = w.shape().tail(r + 2), tiles = geometry.tiles(), outSpatial = n.shape().tail(2);
        int taps = kernel.stream().reduce(1, (a, b) -> a * b), patch = channels * taps;
        // One-hot kernels [C·K, 1, *k]: output channel c·K + q copies tap q of channel c.
        float[] oneHot = new float[patch * taps];
        for (int j = 0; j < patch; j++) {
            oneHot[j * taps + j % taps] = 1;
        }
        List<Integer> oneHotDims = new ArrayList<>(List.of(patch, 1));
        oneHotDims.addAll(kernel);
        String patches = t.out().node("Conv", t.helper(n, "patches"), List.of(cropped(n, x, g),
                        t.out().floats(n.name() + "/taps", oneHotDims, oneHot)),
                ints("kernel_shape", kernel), ints("strides", g.stride()),
                ints("pads", pads(g.padLow(), nonNegative(g.padHigh()))), ints("dilations", g.dilation()),
                integer("group", channels));
        List<Long> split = new ArrayList<>(List.of(0L, (long) patch)); // 0: keep the batch
        List<Long> weightDims = new ArrayList<>(List.of((long) filters));
        List<Long> biasDims = new ArrayList<>(List.of((long) filters));
        StringBuilder a = new StringBuilder("nj"), b = new StringBuilder("o"), y = new StringBuilder("no");
        for (int i = 0; i < r; i++) {
            int tile = tiles.get(i);
            split.add((long) outSpatial.get(i) / tile);
            split.add((long) tile);
            weightDims.add((long) tile);
            biasDims.add(1L);
            biasDims.add((long) tile);
            char outer = "abc".charAt(i), inner = "uvw".charAt(i);
            a.append(outer).append(inner);
            b.append(inner);
            y.append(outer).append(inner);
        }
        weightDims.add((long) patch);
        String viewed = t.out().node("Reshape", t.helper(n, "patches_by_tile"), List.of(patches,
                t.out().longs(n.name() + "/patch_shape", toArray(split))));
        String kernels = t.out().node("Reshape", t.helper(n, "kernels"), List.of(t.tensor(w),
                t.out().longs(n.name() + "/kernel_shape", toArray(weightDims))));
        String result = t.out().node("Einsum", t.helper(n, "by_tile"), List.of(viewed, kernels),
                OnnxGraphWriter.text("equation", a + "," + b + "j->" + y));
        if (n.inputs().size() == 3) {
            String bias = t.out().node("Reshape", t.helper(n, "bias_by_tile"), List.of(t.inTensor(n, 2),
                    t.out().longs(n.name() + "/bias_shape", toArray(biasDims))));
            result = t.out().node("Add", t.helper(n, "biased"), List.of(result, bias));
        }
        List<Long> shape = new ArrayList<>(List.of(0L, (long) filters));
        outSpatial.forEach(o -> shape.add((long) o));
        return t.out().node("Reshape", t.own(n), List.of(result, t.out().longs(n.name() + "/shape", toArray(shape))));
    }

    /** x, sliced to the positions a negative end padding leaves (the only form ONNX takes a crop in). */
    private String cropped(Node n, Node x, ConvGeometry g) {
        List<Long> ends = new ArrayList<>(), cropAxes = new ArrayList<>();
        for (int i = 0; i < g.spatialRank(); i++) {
            if (g.padHigh().get(i) < 0) {
                ends.add((long) x.shape().dim(2 + i) + g.padHigh().get(i));
                cropAxes.add((long) i + 2);
            }
        }
        if (ends.isEmpty()) {
            return t.tensor(x);
        }
        long[] starts = new long[ends.size()];
        return t.out().node("Slice", t.helper(n, "crop"), List.of(t.tensor(x), t.out().longs(n.name() + "/crop_starts",
                starts), t.out().longs(n.name() + "/crop_ends", toArray(ends)),
                t.out().longs(n.name() + "/crop_axes", toArray(cropAxes))));
    }

    static List<Integer> pads(List<Integer> begin, List<Integer> end) {
        List<Integer> p = new ArrayList<>(begin);
        p.addAll(end);
        return p;
    }

    private static List<Integer> nonNegative(List<Integer> v) {
        return v.stream().map(i -> Math.max(i, 0)).toList();
    }

    static long[] toArray(List<Long> v) {
        return v.stream().mapToLong(Long::longValue).toArray();
    }
}
