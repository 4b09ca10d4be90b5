package dev.convj.dsl;

import dev.convj.graph.Fmt;
import dev.convj.graph.Graph;
import dev.convj.graph.ModelGraph;
import dev.convj.graph.Node;
import dev.convj.graph.ops.Conv;
import dev.convj.graph.ops.Dense;
import dev.convj.graph.ops.MaxPool;
import dev.convj.graph.ops.AvgPool;
import dev.convj.graph.ops.PoolGeometry;
import dev.convj.graph.ops.TiledConv;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/** A per-layer table: output shape, parameter count, multiply-adds per image and receptive field. */
public record Summary(List<Row> rows) {

    public Summary {
        rows = List.copyOf(rows);
    }

    /**
     * One layer.
     *
     * @param receptiveField input pixels per axis that one output position sees; empty once flattened
     */
    public record Row(String name, String kind, List<Integer> outputShape, long parameters, long multiplyAdds,
                      List<Integer> receptiveField) {}

    public long totalParameters() {
        return rows.stream().mapToLong(Row::parameters).sum();
    }

    public long totalMultiplyAdds() {
        return rows.stream().mapToLong(Row::multiplyAdds).sum();
    }

    public Row row(String name) {
        return rows.stream().filter(r -> r.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no layer named " + name));
    }

    static Summary of(ModelGraph ng, List<Layer> layers) {
        Graph g = ng.graph();
        List<Row> rows = new ArrayList<>();
        Node x = g.node(ng.input());
        int rank = x.shape().rank() - 2;
        // Receptive field r and jump j per axis: a window of f taps spaced d apart at stride s gives
        // r += (f−1)·d·j and j *= s.
        List<Integer> field = new ArrayList<>(Collections.nCopies(rank, 1));
        List<Integer> jump = new ArrayList<>(Collections.nCopies(rank, 1));
        rows.add(new Row(x.name(), "input", x.shape().tail(1), 0, 0, List.copyOf(field)));
        Tracker tracker = new Tracker(g, rank, field, jump, false);
        for (Layer layer : layers) {
            Node out = g.node(layer.name());
            long params = g.parameters().stream().filter(p -> p.name().startsWith(layer.name() + "."))
                    .mapToLong(p -> p.shape().size()).sum();
            long macs = tracker.visit(layer);
            rows.add(new Row(layer.name(), layer.kind(), out.shape().tail(1), params, macs,
                    tracker.flattened ? List.of() : List.copyOf(tracker.field)));
        }
        return new Summary(rows);
    }

    /** Receptive field r and jump j per axis, followed through the layers (and into branches). */
    private static final class Tracker {
        final Graph g;
        final int rank;
        final List<Integer> field;
        final List<Integer> jump;
        boolean flattened;

        Tracker(Graph g, int rank, List<Integer> field, List<Integer> jump, boolean flattened) {
            this.g = g;
            this.rank = rank;
            this.field = new ArrayList<>(field);
            this.jump = new ArrayList<>(jump);
            this.flattened = flattened;
        }

        Tracker copy() {
            return new Tracker(g, rank, field, jump, flattened);
        }

        /** Follows one layer and returns its multiply-adds per image (a block's: all of its branches'). */
        long visit(Layer layer) {
            if (layer instanceof ParallelLayer p) {
                return join(p.branches());
            }
            if (layer instanceof ResidualLayer r) {
                return join(List.of(r.body(), r.shortcut()));
            }
            return visitNode(g.node(layer.name()));
        }

        /** Branches that start from here and meet again: a field as wide as the widest branch's. */
        private long join(List<List<Layer>> branches) {
            long macs = 0;
            List<Tracker> ends = new ArrayList<>();
            for (List<Layer> branch : branches) {
                Tracker t = copy();
                for (Layer l : branch) {
                    macs += t.visit(l);
                }
                ends.add(t);
            }
            for (Tracker t : ends) {
                flattened |= t.flattened;
                for (int i = 0; i < rank && !t.flattened; i++) {
                    if (t.field.get(i) > field.get(i)) {
                        field.set(i, t.field.get(i));
                        jump.set(i, t.jump.get(i));
                    }
                }
            }
            return macs;
        }

        private long visitNode(Node out) {
            long macs = 0;
            // Once a layer changes the number of spatial axes (flatten, reshape), receptive fields stop being tracked.
            flattened |= out.shape().rank() != rank + 2 && !(out.op() instanceof Dense);
            if (out.op() instanceof Conv conv) {
                Node w = g.inputsOf(out).get(1);
                macs = (long) out.shape().size() / out.shape().dim(0) * (w.shape().size() / w.shape().dim(0));
                if (!flattened) {
                    grow(field, jump, w.shape().tail(2), conv.geometry().dilation(), conv.geometry().stride());
                }
            } else if (out.op() instanceof TiledConv tc) {
                Node w = g.inputsOf(out).get(1);
                int r = tc.geometry().spatialRank();
                macs = (long) out.shape().size() / out.shape().dim(0) * w.shape().tail(r + 1).stream().mapToLong(Integer::longValue).reduce(1, (a, b) -> a * b);
                if (!flattened) {
                    grow(field, jump, w.shape().tail(r + 2), tc.geometry().conv().dilation(),
                            tc.geometry().conv().stride());
                }
            } else if (out.op() instanceof Dense) {
                Node w = g.inputsOf(out).get(1);
                macs = (long) w.shape().size();
                flattened = true;
            } else if (out.op() instanceof MaxPool mp && !flattened) {
                growPool(field, jump, mp.geometry());
            } else if (out.op() instanceof AvgPool ap && !flattened) {
                growPool(field, jump, ap.geometry());
            }
            return macs;
        }
    }

    private static void grow(List<Integer> field, List<Integer> jump, List<Integer> kernel, List<Integer> dilation,
                             List<Integer> stride) {
        for (int i = 0; i < field.size(); i++) {
            field.set(i, field.get(i) + (kernel.get(i) - 1) * dilation.get(i) * jump.get(i));
            jump.set(i, jump.get(i) * stride.get(i));
        }
    }

    private static void growPool(List<Integer> field, List<Integer> jump, PoolGeometry p) {
        grow(field, jump, p.kernel(), Collections.nCopies(field.size(), 1), p.stride());
    }

    @Override
    public String toString() {
        String fmt = "%-12s %-16s %-16s %10s %14s  %s%n";
        StringBuilder b = new StringBuilder(String.format(Locale.ROOT, fmt, "layer", "kind", "output",
                "params", "mult-adds", "receptive field"));
        for (Row r : rows) {
            String rf = r.receptiveField().isEmpty() ? "whole input"
                    : r.receptiveField().stream().map(String::valueOf).collect(Collectors.joining("×"));
            b.append(String.format(Locale.ROOT, fmt, r.name(), r.kind(), shape(r.outputShape()), Fmt.grouped(r.parameters()), Fmt.grouped(r.multiplyAdds()), rf));
        }
        b.append(String.format(Locale.ROOT, "total: %s parameters, %s multiply-adds per image%n",
                Fmt.grouped(totalParameters()), Fmt.grouped(totalMultiplyAdds())));
        return b.toString();
    }

    private static String shape(List<Integer> dims) {
        return dims.stream().map(String::valueOf).collect(Collectors.joining("×"));
    }
}
