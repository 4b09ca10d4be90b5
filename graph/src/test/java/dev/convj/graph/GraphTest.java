package dev.convj.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convj.graph.ops.Conv;
import dev.convj.graph.ops.ConvGeometry;
import dev.convj.graph.ops.MaxPool;
import dev.convj.graph.ops.PoolGeometry;
import dev.convj.graph.ops.Scale;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Structural hash, equality, lookup by name and the text dump of a small graph. */
class GraphTest {

    /** x [1,1,4,4] → conv 3×3 (2 filters, padding 1, the given stride) → max pool 2×2. */
    static Graph small(int stride) {
        GraphBuilder b = new GraphBuilder();
        Node x = b.input("x", Shape.of(1, 1, 4, 4), DType.F32);
        Node w = b.parameter("conv1.weight", Shape.of(2, 1, 3, 3), new ParamInit.Uniform(0.5));
        ConvGeometry g = new ConvGeometry(List.of(stride, stride), List.of(1, 1), List.of(1, 1), List.of(1, 1), 1);
        Node conv = b.apply("conv1", new Conv(g), x, w);
        Node pool = b.apply("pool1", new MaxPool(new PoolGeometry(List.of(2, 2), List.of(2, 2), List.of(0, 0), false)),
                conv);
        return b.output(pool).build();
    }

    @Test
    void textDumpIsOneLinePerNode() {
        String expected = ""
                + "  x: f32[1,1,4,4] = input\n"
                + "  conv1.weight: f32[2,1,3,3] = parameter  init=uniform(±0.5)\n"
                + "  conv1: f32[1,2,4,4] = conv2d(x, conv1.weight)  stride=[1,1] pad=[(1,1),(1,1)] dilation=[1,1]"
                + " groups=1\n"
                + "  pool1: f32[1,2,2,2] = max_pool2d(conv1)  window=[2,2] stride=[2,2] pad=[0,0]\n"
                + "outputs: pool1\n";
        assertEquals(expected, small(1).toText());
        assertEquals(expected, small(1).toString());
    }

    @Test
    void structuralHashIsStableAndSeesAttributes() {
        String h = small(1).structuralHash();
        assertEquals(16, h.length());
        assertTrue(h.matches("[0-9a-f]{16}"), h);
        assertEquals(h, small(1).structuralHash(), "same graph built twice");
        assertNotEquals(h, small(2).structuralHash(), "stride 2 instead of 1");
        Graph renamed = new Graph(small(1).nodes().stream()
                .map(n -> n.name().equals("pool1") ? n.renamed("pool") : n).toList(), List.of(3));
        assertNotEquals(h, renamed.structuralHash(), "names are part of the structure");
        assertNotEquals(h, small(1).withOutputs(List.of("conv1", "pool1")).structuralHash(), "outputs too");
    }

    /** x [3] → scale by {@code factor}. */
    static Graph scaled(double factor) {
        GraphBuilder b = new GraphBuilder();
        Node x = b.input("x", Shape.of(3), DType.F32);
        return b.output(b.apply("y", new Scale(factor), x)).build();
    }

    @Test
    void structuralHashSeesConstants() {
        assertNotEquals(scaled(0.5).structuralHash(), scaled(0.25).structuralHash());
        assertNotEquals(scaled(2).structuralHash(), scaled(-2).structuralHash());
    }

    /**
     * Graphs that compute different things must hash apart (the compile cache is keyed by this hash). The hash is
     * taken of the text dump, which prints constants with 6 significant digits, so they collide today.
     */
    @Test
    void structuralHashSeesEveryDigitOfAConstant() {
        assertNotEquals(scaled(1.0 / 3), scaled(0.333333), "the graphs differ");
        assertNotEquals(scaled(1.0 / 3).structuralHash(), scaled(0.333333).structuralHash());
        assertNotEquals(scaled(1e-10).structuralHash(), scaled(1.00000001e-10).structuralHash());
    }

    @Test
    void equalityIsStructural() {
        assertEquals(small(1), small(1));
        assertEquals(small(1).hashCode(), small(1).hashCode());
        assertNotEquals(small(1), small(2));
        assertNotEquals(small(1), small(1).withOutputs(List.of("conv1")));
        GraphBuilder b = new GraphBuilder();
        b.input("x", Shape.of(1, 1, 4, 4), DType.F32);
        b.parameter("conv1.weight", Shape.of(2, 1, 3, 3), new ParamInit.Uniform(0.25));
        assertNotEquals(small(1).node("conv1.weight"), b.build().node("conv1.weight"), "init differs");
    }

    @Test
    void lookupByName() {
        Graph g = small(1);
        assertEquals(2, g.node("conv1").id());
        assertEquals(Shape.of(1, 2, 2, 2), g.node("pool1").shape());
        assertEquals(List.of(g.node("conv1.weight")), g.parameters());
        assertEquals(List.of(g.node("x")), g.inputs());
        assertEquals(List.of(g.node("x"), g.node("conv1.weight")), g.inputsOf(g.node("conv1")));
        assertTrue(g.has("pool1"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> g.node("conv2"));
        assertEquals("the graph has no node named 'conv2'; it has x, conv1.weight, conv1, pool1", e.getMessage());
    }

    @Test
    void duplicateNamesAreRejected() {
        GraphBuilder b = new GraphBuilder();
        b.input("x", Shape.of(2, 3), DType.F32);
        ShapeException e = assertThrows(ShapeException.class, () -> b.input("x", Shape.of(2, 3), DType.F32));
        assertEquals("x (input): the graph already has a node named x; give the layer another name", e.getMessage());
        assertEquals("x_2", b.uniqueName("x"));
    }

    @Test
    void shapeBasics() {
        Shape s = Shape.of(2, 3, 4);
        assertEquals(24, s.size());
        assertEquals(4, s.dim(-1));
        assertEquals("[2,3,4]", s.toString());
        assertEquals(List.of(12, 4, 1), List.of(s.strides()[0], s.strides()[1], s.strides()[2]));
        assertEquals(Shape.of(2, 5, 4), s.with(1, 5));
        assertEquals("[]", Shape.scalar().toString());
        assertEquals(1, Shape.scalar().size());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Shape.of(2, 0));
        assertEquals("every extent of a shape must be ≥ 1, got [2,0]", e.getMessage());
    }
}
