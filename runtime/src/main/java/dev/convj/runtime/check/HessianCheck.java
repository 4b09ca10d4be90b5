package dev.convj.runtime.check;

import dev.convj.graph.Graph;
import dev.convj.graph.autodiff.Autodiff;
import dev.convj.graph.autodiff.GradientGraph;
import dev.convj.graph.autodiff.HessianVectorProduct;
import dev.convj.runtime.Tensor;
import dev.convj.runtime.interp.ReferenceInterpreter;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Hessian-vector products run on the reference interpreter, and their check against central differences of the
 * gradient: H·v ≈ (∇L(θ + εv) − ∇L(θ − εv)) / 2ε.
 */
public final class HessianCheck {
    private HessianCheck() {}

    /** H·v and its finite-difference estimate, per differentiated tensor, and the largest absolute difference. */
    public record Result(Map<String, Tensor> analytic, Map<String, Tensor> numeric, double maxAbsError,
                         double maxAbsValue) {
        public boolean passed(double absoluteTolerance, double relativeTolerance) {
            return maxAbsError <= absoluteTolerance + relativeTolerance * maxAbsValue;
        }
    }

    /** H·v of {@code loss} with respect to {@code wrt} at {@code feeds}, v given per tensor in {@code tangent}. */
    public static Map<String, Tensor> hessianVectorProduct(Graph graph, String loss, List<String> wrt,
                                                           Map<String, Tensor> feeds, Map<String, Tensor> tangent) {
        HessianVectorProduct hvp = HessianVectorProduct.of(graph, loss, wrt);
        Map<String, Tensor> all = new HashMap<>(feeds);
        for (String w : wrt) {
            all.put(hvp.tangents().get(w), tangent.get(w));
        }
        Map<String, Tensor> values = ReferenceInterpreter.float64().run(hvp.graph(), all, hvp.products().values());
        Map<String, Tensor> result = new LinkedHashMap<>();
        for (String w : wrt) {
            result.put(w, values.get(hvp.products().get(w)));
        }
        return result;
    }

    /** Compares {@link #hessianVectorProduct} with central differences of the gradient along v. */
    public static Result check(Graph graph, String loss, List<String> wrt, Map<String, Tensor> feeds,
                               Map<String, Tensor> tangent, double epsilon) {
        Map<String, Tensor> analytic = hessianVectorProduct(graph, loss, wrt, feeds, tangent);
        GradientGraph gg = Autodiff.gradients(graph, loss, wrt);
        Map<String, Tensor> plus = gradients(gg, wrt, shifted(feeds, tangent, wrt, epsilon));
        Map<String, Tensor> minus = gradients(gg, wrt, shifted(feeds, tangent, wrt, -epsilon));
        Map<String, Tensor> numeric = new LinkedHashMap<>();
        double maxErr = 0, maxValue = 0;
        for (String w : wrt) {
            Tensor p = plus.get(w), m = minus.get(w), a = analytic.get(w);
            Tensor n = Tensor.generate(p.shape(), i -> (p.get(i) - m.get(i)) / (2 * epsilon));
            numeric.put(w, n);
            maxErr = Math.max(maxErr, a.maxAbsDiff(n));
            for (int i = 0; i < a.size(); i++) {
                maxValue = Math.max(maxValue, Math.abs(a.get(i)));
            }
        }
        return new Result(analytic, numeric, maxErr, maxValue);
    }

    private static Map<String, Tensor> shifted(Map<String, Tensor> feeds, Map<String, Tensor> v, List<String> wrt,
                                               double step) {
        Map<String, Tensor> s = new HashMap<>(feeds);
        for (String w : wrt) {
            Tensor base = feeds.get(w), dir = v.get(w);
            s.put(w, Tensor.generate(base.shape(), i -> base.get(i) + step * dir.get(i)));
        }
        return s;
    }

    private static Map<String, Tensor> gradients(GradientGraph gg, List<String> wrt, Map<String, Tensor> feeds) {
        Map<String, Tensor> values = ReferenceInterpreter.float64().run(gg.graph(), feeds,
                wrt.stream().map(w -> gg.gradientOf(w).name()).toList());
        Map<String, Tensor> result = new LinkedHashMap<>();
        for (String w : wrt) {
            result.put(w, values.get(gg.gradientOf(w).name()));
        }
        return result;
    }
}
