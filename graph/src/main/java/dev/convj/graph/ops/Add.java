package dev.convj.graph.ops;

import dev.convj.graph.Node;
import dev.convj.graph.Shape;
import java.util.List;

/** Elementwise a + b of equal shapes (broadcast explicitly with {@link BroadcastTo}). */
public record Add() implements Op {
    @Override
    public String kind() {
        return "add";
    }

    @Override
    public Shape inferShape(List<Node> in) {
        return Checks.binary(in);
    }

    @Override
    public List<Node> gradients(GradientContext g) {
        return List.of(g.gradOutput(), g.gradOutput());
    }

    @Override
    public <R> R accept(OpVisitor<R> visitor) {
        return visitor.visit(this);
    }
}
