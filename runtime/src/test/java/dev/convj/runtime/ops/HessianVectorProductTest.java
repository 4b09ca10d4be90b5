package dev.convj.runtime.ops;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convj.graph.DType;
import dev.convj.graph.Graph;
import dev.convj.graph.GraphBuilder;
import dev.convj.graph.Node;
import dev.convj.graph.ParamInit;
import dev.convj.graph.Shape;
import dev.convj.graph.autodiff.HessianVectorProduct;
import dev.convj.graph.ops.Conv;
import dev.convj.graph.ops.ConvGeometry;
import dev.convj.graph.ops.Dense;
import dev.convj.graph.ops.MaxPool;
import dev.convj.graph.ops.PoolGeometry;
import dev.convj.graph.ops.Reshape;
import dev.convj.graph.ops.SoftmaxCrossEntropy;
import dev.convj.graph.ops.Tanh;
import dev.convj.runtime.Initializer;
import dev.convj.runtime.Tensor;
import dev.convj.runtime.check.HessianCheck;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Second-order gradients: H·v from differentiating the gradient graph, against differences of gradients. */
class HessianVectorProductTest {

    /** conv 3×3 → tanh → max pool 2×2 → dense → softmax cross-entropy, on 1×2×6×6 images. */
    private static Graph convPoolNet() {
        GraphBuilder b = new GraphBuilder();
        Node x = b.input("x", Shape.of(2, 2, 6, 6), DType.F32);
        Node w = b.parameter("conv.weight", Shape.of(3, 2, 3, 3), new ParamInit.Uniform(0.4));
        Node bias = b.parameter("conv.bias", Shape.of(3), new ParamInit.Uniform(0.4));
        Node conv = b.apply("conv", new Conv(new ConvGeometry(List.of(1, 1), List.of(1, 1), List.of(0, 0),
                List.of(1, 1), 1)), x, w, bias);
        Node act = b.apply("tanh", new Tanh(), conv);
        Node pool = b.apply("pool", new MaxPool(new PoolGeometry(List.of(2, 2), List.of(2, 2), List.of(0, 0), false)),
                act);
        Node flat = b.apply("flat", new Reshape(Shape.of(2, 3 * 2 * 2)), pool);
        Node fw = b.parameter("fc.weight", Shape.of(3, 12), new ParamInit.Uniform(0.4));
        Node fb = b.parameter("fc.bias", Shape.of(3), new ParamInit.Uniform(0.4));
        Node logits = b.apply("fc", new Dense(), flat, fw, fb);
        Node labels = b.input("labels", Shape.of(2), DType.I32);
        return b.output(b.apply("loss", new SoftmaxCrossEntropy(), logits, labels)).build();
    }

    @Test
    void hessianVectorProductMatchesDifferencesOfGradients() {
        Graph g = convPoolNet();
        Random r = new Random(3);
        Map<String, Tensor> feeds = new LinkedHashMap<>(Initializer.initialize(g, 5));
        feeds.put("x", Tensor.uniform(Shape.of(2, 2, 6, 6), -1, 1, r));
        feeds.put("labels", Tensor.of(Shape.of(2), 0, 2));
        List<String> wrt = List.of("conv.weight", "conv.bias", "fc.weight", "fc.bias", "x");
        Map<String, Tensor> v = new HashMap<>();
        for (String name : wrt) {
            v.put(name, Tensor.uniform(feeds.get(name).shape(), -1, 1, r));
        }
        HessianCheck.Result result = HessianCheck.check(g, "loss", wrt, feeds, v, 1e-5);
        assertTrue(result.maxAbsValue() > 1e-3, "the product should not vanish: " + result.maxAbsValue());
        assertTrue(result.passed(1e-7, 1e-5), "max |Hv − FD| = " + result.maxAbsError() + " for |Hv| up to "
                + result.maxAbsValue());
    }

    @Test
    void theSecondOrderGraphIsMadeOfOrdinaryNodes() {
        HessianVectorProduct hvp = HessianVectorProduct.of(convPoolNet(), "loss", List.of("conv.weight"));
        String dump = hvp.graph().toText();
        // Differentiating max pooling's backward op gives the gather at the argmax; the transposed convolution's
        // gradient is a convolution again.
        assertTrue(dump.contains("max_pool2d_select("), dump);
        assertTrue(dump.contains("conv.weight.tangent: f32[3,2,3,3] = input"), dump);
        assertTrue(hvp.graph().has(hvp.products().get("conv.weight")));
    }
}
