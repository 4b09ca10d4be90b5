package dev.convj.onnx.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import dev.convj.graph.DType;
import dev.convj.graph.GraphBuilder;
import dev.convj.graph.ModelGraph;
import dev.convj.graph.Node;
import dev.convj.graph.ParamInit;
import dev.convj.graph.Shape;
import dev.convj.graph.ops.AvgPool;
import dev.convj.graph.ops.Conv;
import dev.convj.graph.ops.ConvGeometry;
import dev.convj.graph.ops.ConvTranspose;
import dev.convj.graph.ops.MaxPool;
import dev.convj.graph.ops.Op;
import dev.convj.graph.ops.PoolGeometry;
import dev.convj.runtime.Tensor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;

/**
 * Over random geometries of 1 to 3 spatial axes (kernel, stride, dilation, asymmetric and cropping padding, groups,
 * output padding, ceil mode, padding in or out of the divisor): one exported op run in ONNX Runtime at batch 2
 * equals ConvJ's float64 interpreter within 1e-5 · (1 + |expected|).
 */
class ExportPropertiesTest {

    private static final int EXAMPLES = 30;

    /** A one-op model: x [N, C, *in], the parameters given by shape, the op's output. */
    private record OneOp(Op op, int channels, List<Integer> in, List<Shape> parameters) {
        IntFunction<ModelGraph> model() {
            return batch -> {
                GraphBuilder b = new GraphBuilder();
                List<Integer> dims = new ArrayList<>(List.of(batch, channels));
                dims.addAll(in);
                List<Node> operands = new ArrayList<>(List.of(b.input("x", new Shape(dims), DType.F32)));
                for (int i = 0; i < parameters.size(); i++) {
                    operands.add(b.parameter("p" + i, parameters.get(i), new ParamInit.Uniform(1)));
                }
                Node y = b.apply("y", op, operands.toArray(Node[]::new));
                b.output(y);
                return new ModelGraph(b.build(), batch, "x", "y", java.util.Optional.empty(),
                        java.util.Optional.empty());
            };
        }
    }

    private static void assertAgrees(OneOp c, Random r) throws Exception {
        Map<String, float[]> weights = new HashMap<>();
        for (int i = 0; i < c.parameters().size(); i++) {
            float[] w = new float[c.parameters().get(i).size()];
            for (int j = 0; j < w.length; j++) {
                w[j] = r.nextFloat() * 2 - 1;
            }
            weights.put("p" + i, w);
        }
        byte[] bytes = OnnxExporter.export(c.model(), weights, "one-op").toByteArray();
        ModelGraph mg = c.model().apply(2);
        Shape xs = mg.graph().node("x").shape();
        float[] x = new float[xs.size()];
        for (int i = 0; i < x.length; i++) {
            x[i] = r.nextFloat() * 2 - 1;
        }
        Tensor expected = OnnxRuntimeAgreementTest.reference(mg, weights, x);
        float[] actual = OrtRunner.run(bytes, "x", x, xs.dims().stream().mapToLong(Integer::longValue).toArray());
        assertEquals(expected.size(), actual.length, c.toString());
        for (int i = 0; i < actual.length; i++) {
            assertEquals(expected.get(i), actual[i], 1e-5 * (1 + Math.abs(expected.get(i))), c + " output " + i);
        }
    }

    @Test
    void convolutions() {
        qt().withExamples(EXAMPLES).forAll(integers().between(1, 3), integers().between(1, 2), longs().all())
                .checkAssert((rank, groups, seed) -> {
                    Random r = new Random(seed);
                    List<Integer> in = new ArrayList<>(), k = new ArrayList<>(), s = new ArrayList<>(),
                            lo = new ArrayList<>(), hi = new ArrayList<>(), d = new ArrayList<>();
                    for (int i = 0; i < rank; i++) {
                        int ki = 1 + r.nextInt(3), di = 1 + r.nextInt(2);
                        k.add(ki);
                        d.add(di);
                        s.add(1 + r.nextInt(2));
                        lo.add(r.nextInt(3));
                        int high = r.nextInt(3) - (di - 1); // down to −(d−1): a crop
                        hi.add(high);
                        in.add(di * (ki - 1) + 1 + Math.max(0, -high) + r.nextInt(4));
                    }
                    int channels = groups * (1 + r.nextInt(2)), filters = groups * (1 + r.nextInt(3));
                    List<Integer> w = new ArrayList<>(List.of(filters, channels / groups));
                    w.addAll(k);
                    List<Shape> params = new ArrayList<>(List.of(new Shape(w)));
                    if (r.nextBoolean()) {
                        params.add(Shape.of(filters));
                    }
                    try {
                        assertAgrees(new OneOp(new Conv(new ConvGeometry(s, lo, hi, d, groups)), channels, in,
                                params), r);
                    } catch (Exception e) {
                        throw new AssertionError(e);
                    }
                });
    }

    @Test
    void transposedConvolutions() {
        qt().withExamples(EXAMPLES).forAll(integers().between(1, 3), integers().between(1, 2), longs().all())
                .checkAssert((rank, groups, seed) -> {
                    Random r = new Random(seed);
                    List<Integer> in = new ArrayList<>(), k = new ArrayList<>(), s = new ArrayList<>(),
                            p = new ArrayList<>(), hi = new ArrayList<>(), d = new ArrayList<>(), out = new ArrayList<>();
                    for (int i = 0; i < rank; i++) {
                        int ki = 1 + r.nextInt(3), di = 1 + r.nextInt(2), si = 1 + r.nextInt(3), ni = 1 + r.nextInt(3);
                        int pi = r.nextInt(Math.max(1, (di * (ki - 1) + 1) / 2 + 1));
                        int op = r.nextInt(Math.max(si, di)); // below the stride or the dilation, as PyTorch
                        int size = (ni - 1) * si - 2 * pi + di * (ki - 1) + op + 1;
                        if (size < 1) {
                            pi = 0;
                            size = (ni - 1) * si + di * (ki - 1) + op + 1;
                        }
                        k.add(ki);
                        d.add(di);
                        s.add(si);
                        p.add(pi);
                        hi.add(op < si ? pi : pi - op + si - 1);
                        in.add(ni);
                        out.add(size);
                    }
                    int channels = groups * (1 + r.nextInt(2)), filters = groups * (1 + r.nextInt(2));
                    List<Integer> w = new ArrayList<>(List.of(channels, filters / groups));
                    w.addAll(k);
                    List<Shape> params = new ArrayList<>(List.of(new Shape(w)));
                    if (r.nextBoolean()) {
                        params.add(Shape.of(filters));
                    }
                    try {
                        assertAgrees(new OneOp(new ConvTranspose(new ConvGeometry(s, p, hi, d, groups), out), channels,
                                in, params), r);
                    } catch (Exception e) {
                        throw new AssertionError(e);
                    }
                });
    }

    @Test
    void maxAndAveragePools() {
        qt().withExamples(EXAMPLES).forAll(integers().between(1, 3), integers().between(0, 2), longs().all())
                .checkAssert((rank, kind, seed) -> {
                    Random r = new Random(seed);
                    List<Integer> in = new ArrayList<>(), k = new ArrayList<>(), s = new ArrayList<>(),
                            p = new ArrayList<>();
                    for (int i = 0; i < rank; i++) {
                        int ki = 1 + r.nextInt(3), pi = r.nextInt(ki / 2 + 1);
                        k.add(ki);
                        s.add(1 + r.nextInt(3));
                        p.add(pi);
                        in.add(Math.max(1, ki - 2 * pi) + r.nextInt(5));
                    }
                    PoolGeometry g = new PoolGeometry(k, s, p, r.nextBoolean());
                    Op op = kind == 0 ? new MaxPool(g) : new AvgPool(g, kind == 1);
                    try {
                        assertAgrees(new OneOp(op, 1 + r.nextInt(2), in, List.of()), r);
                    } catch (Exception e) {
                        throw new AssertionError(e);
                    }
                });
    }
}
