package dev.convj.dsl;

import static dev.convj.dsl.LayerOption.pad;
import static dev.convj.dsl.LayerOption.same;
import static dev.convj.dsl.LayerOption.stride;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convj.graph.Graph;
import dev.convj.graph.ModelGraph;
import dev.convj.graph.Node;
import dev.convj.graph.RunningStatistic;
import dev.convj.graph.Shape;
import dev.convj.graph.ShapeException;
import dev.convj.graph.ops.Add;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Residual blocks: body(x) + shortcut(x) joined by one Add, checked at declaration. */
class ResidualTest {

    private static Network block() {
        return Network.input(8, 6, 6)
                .residual(b -> b.conv2d(8, 3, same()).batchNorm().relu().conv2d(8, 3, same()).batchNorm())
                .relu()
                .residual(b -> b.conv2d(16, 3, stride(2), pad(1)).batchNorm().relu().conv2d(16, 3, same()),
                        s -> s.conv2d(16, 1, stride(2)).batchNorm());
    }

    @Test
    void theJoinIsAnAddOfTheBodyAndTheShortcut() {
        Graph g = block().graph(2).graph();
        Node res1 = g.node("res1");
        assertTrue(res1.op() instanceof Add);
        assertEquals(List.of("res1.body.bn2", "x"),
                g.inputsOf(res1).stream().map(Node::name).toList(), "identity shortcut reads the block's input");
        Node res2 = g.node("res2");
        assertEquals(List.of("res2.body.conv2", "res2.shortcut.bn1"), g.inputsOf(res2).stream().map(Node::name).toList());
        assertEquals(Shape.of(2, 16, 3, 3), res2.shape());
    }

    @Test
    void anIdentityShortcutOfAnotherShapeFailsAtDeclarationNamingBothShapes() {
        ShapeException e = assertThrows(ShapeException.class,
                () -> Network.input(8, 6, 6).residual(b -> b.conv2d(16, 3, stride(2), pad(1))));
        assertEquals("res1 (residual): the body gives f32[1,16,3,3] but the identity shortcut carries the input"
                + " f32[1,8,6,6]; both must have one shape to be added — pass a projection shortcut, e.g."
                + " residual(body, s -> s.conv2d(16, 1, stride(2)).batchNorm())", e.getMessage());
    }

    @Test
    void aProjectionOfTheWrongShapeFailsNamingItsShape() {
        ShapeException e = assertThrows(ShapeException.class,
                () -> Network.input(8, 6, 6).residual(b -> b.conv2d(16, 3, same()), s -> s.conv2d(12, 1)));
        assertTrue(e.getMessage().startsWith("res1 (residual): the body gives f32[1,16,6,6] but the shortcut gives"
                + " f32[1,12,6,6]"), e.getMessage());
    }

    @Test
    void theSummaryCountsBothBranches() {
        Summary s = block().summary();
        Summary.Row res2 = s.row("res2");
        // body: 3·3·8·16 + 16 and 3·3·16·16 + 16, two BN (γ, β), shortcut 8·16 + 16 and a BN of 16.
        long weights = 3 * 3 * 8 * 16 + 16 + 3 * 3 * 16 * 16 + 16 + 2 * 16 + 8 * 16 + 16 + 2 * 16;
        assertEquals(weights, res2.parameters());
        long macs = 9L * (3 * 3 * 8 * 16) + 9L * (3 * 3 * 16 * 16) + 9L * (8 * 16);
        assertEquals(macs, res2.multiplyAdds());
        assertEquals("residual", res2.kind());
        // The body's two 3×3 convolutions widen the field by 2 + 2; the second block's by 2 then 2·2.
        assertEquals(List.of(5, 5), s.row("res1").receptiveField());
        assertEquals(List.of(11, 11), s.row("res2").receptiveField());
    }

    @Test
    void batchNormInsideBothBranchesKeepsRunningStatistics() {
        List<String> stats = block().runningStatistics(2).stream().map(RunningStatistic::runningParameter).toList();
        assertTrue(stats.containsAll(List.of("res1.body.bn1.running_mean", "res2.shortcut.bn1.running_var")),
                stats.toString());
    }

    @Test
    void aResidualNetworkRoundTripsThroughItsTextForm() {
        Network n = block().globalAvgPool().flatten().dense(10).softmaxCrossEntropy();
        Network back = NetworkSpec.read(NetworkSpec.write(n));
        assertEquals(NetworkSpec.write(n), NetworkSpec.write(back));
        assertEquals(n.graph(3).graph().nodes().size(), back.graph(3).graph().nodes().size());
    }

    @Test
    void renamingABlockRenamesItsLayersAndParameters() {
        Network n = Network.input(4, 5, 5).residual(b -> b.conv2d(4, 3, same())).named("stage1");
        assertTrue(n.graph(1).graph().parameters().stream().anyMatch(p -> p.name().equals("stage1.body.conv1.weight")));
    }
}
