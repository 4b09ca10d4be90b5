package dev.convj.dsl;

import static dev.convj.dsl.LayerOption.dilation;
import static dev.convj.dsl.LayerOption.full;
import static dev.convj.dsl.LayerOption.groups;
import static dev.convj.dsl.LayerOption.noBias;
import static dev.convj.dsl.LayerOption.pad;
import static dev.convj.dsl.LayerOption.same;
import static dev.convj.dsl.LayerOption.stride;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convj.graph.Graph;
import dev.convj.graph.Node;
import dev.convj.graph.Shape;
import dev.convj.graph.ShapeException;
import dev.convj.graph.ops.Conv;
import java.util.List;
import org.junit.jupiter.api.Test;

class NetworkTest {

    @Test
    void layersGetDefaultNamesAndParametersAreNamedAfterThem() {
        Graph g = LeNet.lenet5().graph(1).graph();
        for (String name : List.of("conv1", "relu1", "pool1", "conv2", "pool2", "flatten1", "fc1", "fc2", "fc3",
                "conv1.weight", "conv1.bias", "fc3.weight", "labels", "loss")) {
            assertTrue(g.has(name), name);
        }
        assertEquals(10, g.parameters().size());
    }

    @Test
    void namedRenamesTheLastLayerAndItsParameters() {
        Graph g = Network.input(3, 8, 8).conv2d(4, 3).named("stem").relu().conv2d(4, 3).graph(1).graph();
        assertTrue(g.has("stem") && g.has("stem.weight") && g.has("stem.bias"));
        // Default numbering counts layers of the kind, renamed or not.
        assertTrue(g.has("conv2"));
        assertFalse(g.has("conv1"));
    }

    @Test
    void duplicateNamesAreRefused() {
        ShapeException e = assertThrows(ShapeException.class,
                () -> Network.input(1, 8, 8).conv2d(2, 3).named("a").conv2d(2, 3).named("a"));
        assertEquals("a (conv2d): another layer is already named a; give this layer another name with named(...)",
                e.getMessage());
    }

    @Test
    void theBatchIsChosenWhenLowering() {
        Network net = LeNet.lenet5();
        assertEquals(Shape.of(64, 10), net.graph(64).graph().node("fc3").shape());
        assertEquals(Shape.of(64), net.graph(64).graph().node("labels").shape());
        assertEquals(Shape.scalar(), net.graph(64).graph().node("loss").shape());
        assertEquals(Shape.of(3, 6, 14, 14), net.graph(3).graph().node("pool1").shape());
    }

    @Test
    void paddingModesGiveTheLectureSizes() {
        // valid: n − f + 1; same: n (stride 1) or ceil(n/s); full: n + f − 1.
        assertEquals(Shape.of(1, 2, 6, 6), out(Network.input(1, 10, 10).conv2d(2, 5)));
        assertEquals(Shape.of(1, 2, 10, 10), out(Network.input(1, 10, 10).conv2d(2, 5, same())));
        assertEquals(Shape.of(1, 2, 5, 5), out(Network.input(1, 10, 10).conv2d(2, 4, same(), stride(2))));
        assertEquals(Shape.of(1, 2, 14, 14), out(Network.input(1, 10, 10).conv2d(2, 5, full())));
        // Explicit per side: top 1, bottom 0, left 2, right 3 → (10+1−3)+1 = 9 by (10+5−3)+1 = 13.
        assertEquals(Shape.of(1, 2, 9, 13), out(Network.input(1, 10, 10).conv2d(2, 3, pad(1, 0, 2, 3))));
        // Dilation 2 makes a 3-tap kernel span 5: (10−5)/1+1 = 6.
        assertEquals(Shape.of(1, 2, 6, 6), out(Network.input(1, 10, 10).conv2d(2, 3, dilation(2))));
    }

    @Test
    void sameWithAnEvenKernelPutsTheExtraZeroAfter() {
        Node conv = Network.input(1, 6, 6).conv2d(1, 4, same()).graph(1).graph().node("conv1");
        Conv op = (Conv) conv.op();
        assertEquals(List.of(1, 1), op.geometry().padLow());
        assertEquals(List.of(2, 2), op.geometry().padHigh());
    }

    @Test
    void groupsAndNoBiasShapeTheWeights() {
        Graph g = Network.input(6, 5, 5).conv2d(4, 3, groups(2), noBias()).graph(1).graph();
        assertEquals(Shape.of(4, 3, 3, 3), g.node("conv1.weight").shape());
        assertFalse(g.has("conv1.bias"));
    }

    @Test
    void conv1dAndConv3dLowerToTheSameOp() {
        assertEquals(Shape.of(1, 4, 8), out(Network.input(2, 10).conv1d(4, 3)));
        assertEquals(Shape.of(1, 4, 3, 4, 5), out(Network.input(2, 5, 6, 7).conv3d(4, 3)));
        assertEquals(Shape.of(1, 2, 2, 3, 3), out(Network.input(2, 5, 6, 7).maxPool3d(2)));
    }

    private static Shape out(Network n) {
        var ng = n.graph(1);
        return ng.graph().node(ng.output()).shape();
    }
}
