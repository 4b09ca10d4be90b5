package dev.convj.onnx.export;

import static dev.convj.onnx.export.OnnxGraphWriter.integer;
import static dev.convj.onnx.export.OnnxGraphWriter.ints;

import ai.onnx.proto.OnnxMl.AttributeProto;
import dev.convj.graph.Node;
import dev.convj.graph.ops.AvgPool;
import dev.convj.graph.ops.MaxPool;
import dev.convj.graph.ops.Mean;
import dev.convj.graph.ops.PoolGeometry;
import java.util.ArrayList;
import java.util.List;

/**
 * Pooling and means. ceil_mode is written only where ONNX's plain formula ceil((n + 2p − k)/s) + 1 gives ConvJ's
 * (PyTorch's) size; where a last window would start in the right padding, which PyTorch drops, the window count is
 * reached with ceil_mode 0 and extra padding after the axis instead: padded positions never win a max, and for an
 * average they are kept out of the divisor (with zeros padded explicitly first when the divisor must count the
 * symmetric padding).
 */
final class PoolExport {
    private final GraphTranslation t;

    PoolExport(GraphTranslation t) {
        this.t = t;
    }

    /** A mean over every spatial axis is GlobalAveragePool then Flatten, any other ReduceMean. */
    String mean(Node n, Mean op) {
        Node x = t.in(n, 0);
        int rank = x.shape().rank();
        List<Integer> spatial = new ArrayList<>();
        for (int a = 2; a < rank; a++) {
            spatial.add(a);
        }
        if (rank >= 3 && op.axes().stream().sorted().toList().equals(spatial)) {
            String pooled = t.out().node("GlobalAveragePool", t.helper(n, "pooled"), List.of(t.tensor(x)));
            return t.out().node("Flatten", t.own(n), List.of(pooled), integer("axis", 1));
        }
        return t.out().node("ReduceMean", t.own(n), List.of(t.tensor(x)), ints("axes", op.axes()),
                integer("keepdims", 0));
    }

    /**
     * Max pooling; a window spanning whole axes (global max pooling, maxout's channel groups) is a GlobalMaxPool or a
     * ReduceMax over those axes.
     */
    String max(Node n, MaxPool op) {
        Node x = t.in(n, 0);
        PoolGeometry g = op.geometry();
        List<Integer> whole = new ArrayList<>();
        boolean reduces = true;
        for (int i = 0; i < g.spatialRank(); i++) {
            int k = g.kernel().get(i), s = g.stride().get(i), p = g.padding().get(i), extent = x.shape().dim(2 + i);
            if (p == 0 && k == extent && k > 1) {
                whole.add(2 + i);
            } else if (!(p == 0 && k == 1 && s == 1)) {
                reduces = false;
            }
        }
        if (reduces && whole.size() == g.spatialRank()) {
            return t.out().node("GlobalMaxPool", t.own(n), List.of(t.tensor(x)));
        }
        if (reduces && !whole.isEmpty()) {
            return t.out().node("ReduceMax", t.own(n), List.of(t.tensor(x)), ints("axes", whole),
                    integer("keepdims", 1));
        }
        Windows w = windows(x, g, n.shape().tail(2));
        List<AttributeProto> attributes = new ArrayList<>(List.of(ints("kernel_shape", g.kernel()),
                ints("strides", g.stride()), ints("pads", ConvExport.pads(g.padding(), w.end())),
                integer("ceil_mode", w.ceil() ? 1 : 0)));
        return t.out().node("MaxPool", t.own(n), List.of(t.tensor(x)), attributes.toArray(AttributeProto[]::new));
    }

    /** Average pooling; count_include_pad carries ConvJ's divisor rule (ONNX's default is to exclude the padding). */
    String average(Node n, AvgPool op) {
        Node x = t.in(n, 0);
        PoolGeometry g = op.geometry();
        Windows w = windows(x, g, n.shape().tail(2));
        boolean padded = g.padding().stream().anyMatch(p -> p > 0);
        String input = t.tensor(x);
        List<Integer> begin = g.padding();
        boolean includePad = op.countIncludePad() && padded;
        if (includePad && w.extended()) {
            // The divisor counts the symmetric padding but not the extra positions: pad zeros as real positions.
            List<Long> p = new ArrayList<>(List.of(0L, 0L));
            g.padding().forEach(v -> p.add((long) v));
            p.add(0L);
            p.add(0L);
            g.padding().forEach(v -> p.add((long) v));
            input = t.out().node("Pad", t.helper(n, "padded"), List.of(input,
                    t.out().longs(n.name() + "/pads", ConvExport.toArray(p))));
            List<Integer> extra = new ArrayList<>();
            for (int i = 0; i < g.spatialRank(); i++) {
                extra.add(w.end().get(i) - g.padding().get(i));
            }
            begin = java.util.Collections.nCopies(g.spatialRank(), 0);
            w = new Windows(extra, false, true);
            includePad = false;
        }
        return t.out().node("AveragePool", t.own(n), List.of(input), ints("kernel_shape", g.kernel()),
                ints("strides", g.stride()), ints("pads", ConvExport.pads(begin, w.end())),
                integer("ceil_mode", w.ceil() ? 1 : 0), integer("count_include_pad", includePad ? 1 : 0));
    }

    /** The padding after each axis and whether ceil_mode is set, so that ONNX counts ConvJ's windows. */
    private record Windows(List<Integer> end, boolean ceil, boolean extended) {}

    private static Windows windows(Node x, PoolGeometry g, List<Integer> out) {
        List<Integer> end = new ArrayList<>();
        boolean ceilAgrees = g.ceilMode(), extended = false;
        for (int i = 0; i < g.spatialRank(); i++) {
            int n = x.shape().dim(2 + i), k = g.kernel().get(i), s = g.stride().get(i), p = g.padding().get(i);
            int span = n + 2 * p - k;
            int plainCeil = Math.floorDiv(span + s - 1, s) + 1;
            ceilAgrees &= plainCeil == out.get(i);
        }
        for (int i = 0; i < g.spatialRank(); i++) {
            int n = x.shape().dim(2 + i), k = g.kernel().get(i), s = g.stride().get(i), p = g.padding().get(i);
            int needed = ceilAgrees ? p : Math.max(p, (out.get(i) - 1) * s + k - n - p);
            extended |= needed > p;
            end.add(needed);
        }
        return new Windows(end, ceilAgrees, extended);
    }
}
