package dev.convj.runtime.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convj.graph.Graph;
import dev.convj.graph.GraphBuilder;
import dev.convj.graph.ParamInit;
import dev.convj.graph.Shape;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WeightInitTest {

    static Graph graph() {
        GraphBuilder b = new GraphBuilder();
        b.parameter("conv.weight", Shape.of(64, 32, 3, 3), new ParamInit.Uniform(0.1));
        b.parameter("conv.bias", Shape.of(64), new ParamInit.Uniform(0.1));
        return b.build();
    }

    @Test
    void kaimingAndXavierFollowPyTorchsFans() {
        Graph g = graph();
        double fanIn = 32 * 9, fanOut = 64 * 9;
        float[] ku = WeightInit.KAIMING_UNIFORM.initialize(g, 1).get("conv.weight");
        double bound = Math.sqrt(2) * Math.sqrt(3 / fanIn);
        assertTrue(max(ku) <= bound && max(ku) > 0.98 * bound, max(ku) + " vs bound " + bound);
        assertEquals(2 / fanIn, variance(WeightInit.KAIMING_NORMAL.initialize(g, 1).get("conv.weight")), 0.05 * 2 / fanIn);
        float[] xu = WeightInit.XAVIER_UNIFORM.initialize(g, 1).get("conv.weight");
        double xb = Math.sqrt(6 / (fanIn + fanOut));
        assertTrue(max(xu) <= xb && max(xu) > 0.98 * xb);
        assertEquals(2 / (fanIn + fanOut), variance(WeightInit.XAVIER_NORMAL.initialize(g, 1).get("conv.weight")),
                0.05 * 2 / (fanIn + fanOut));
        assertArrayEquals(new float[64], WeightInit.KAIMING_NORMAL.initialize(g, 1).get("conv.bias"), "biases start at 0");
    }

    @Test
    void seededAndDefaultFollowsParamInit() {
        Graph g = graph();
        Map<String, float[]> a = WeightInit.KAIMING_UNIFORM.initialize(g, 7), b = WeightInit.KAIMING_UNIFORM.initialize(g, 7);
        assertArrayEquals(a.get("conv.weight"), b.get("conv.weight"));
        float[] d = WeightInit.DEFAULT.initialize(g, 7).get("conv.bias");
        assertTrue(max(d) <= 0.1 && max(d) > 0.05);
        assertEquals(WeightInit.KAIMING_UNIFORM, WeightInit.parse("he"));
    }

    private static double max(float[] v) {
        double m = 0;
        for (float x : v) {
            m = Math.max(m, Math.abs(x));
        }
        return m;
    }

    private static double variance(float[] v) {
        double s = 0;
        for (float x : v) {
            s += x * x;
        }
        return s / v.length;
    }
}
