package dev.convj.runtime;

import static org.quicktheories.generators.SourceDSL.booleans;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import dev.convj.graph.DType;
import dev.convj.graph.Graph;
import dev.convj.graph.GraphBuilder;
import dev.convj.graph.Node;
import dev.convj.graph.ParamInit;
import dev.convj.graph.Shape;
import dev.convj.graph.ops.Conv;
import dev.convj.graph.ops.ConvGeometry;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.quicktheories.core.Gen;

/**
 * A random convolution for property tests: batch, groups, channels per group, and per spatial axis the input
 * size, kernel, stride, padding before and after (independent, so often asymmetric) and dilation. The input is
 * always large enough for the kernel.
 */
public record ConvCase(int batch, int groups, int inPerGroup, int outPerGroup, List<Integer> input,
                       List<Integer> kernel, List<Integer> stride, List<Integer> padLow, List<Integer> padHigh,
                       List<Integer> dilation, boolean bias, long seed) {

    /** Limits of one generator: spatial rank, largest kernel, stride, padding and dilation, and input slack. */
    public record Limits(int rank, int maxKernel, int maxStride, int maxPad, int maxDilation, int maxSlack,
                         int maxGroups, int maxPerGroup) {}

    public static Limits limits2d() {
        return new Limits(2, 3, 3, 2, 2, 3, 3, 2);
    }

    public static Gen<ConvCase> gen(Limits l) {
        return in -> {
            int batch = integers().between(1, 2).generate(in);
            int groups = integers().between(1, l.maxGroups()).generate(in);
            int cin = integers().between(1, l.maxPerGroup()).generate(in);
            int cout = integers().between(1, l.maxPerGroup()).generate(in);
            List<Integer> n = new ArrayList<>(), k = new ArrayList<>(), s = new ArrayList<>();
            List<Integer> pl = new ArrayList<>(), ph = new ArrayList<>(), d = new ArrayList<>();
            for (int i = 0; i < l.rank(); i++) {
                int kernel = integers().between(1, l.maxKernel()).generate(in);
                int dil = integers().between(1, l.maxDilation()).generate(in);
                int lo = integers().between(0, l.maxPad()).generate(in);
                int hi = integers().between(0, l.maxPad()).generate(in);
                int slack = integers().between(0, l.maxSlack()).generate(in);
                k.add(kernel);
                d.add(dil);
                pl.add(lo);
                ph.add(hi);
                s.add(integers().between(1, l.maxStride()).generate(in));
                n.add(Math.max(1, dil * (kernel - 1) + 1 - lo - hi + slack));
            }
            boolean bias = booleans().all().generate(in);
            long seed = longs().all().generate(in);
            return new ConvCase(batch, groups, cin, cout, n, k, s, pl, ph, d, bias, seed);
        };
    }

    /** The same case with stride 1 on every axis. */
    public ConvCase unitStride() {
        return new ConvCase(batch, groups, inPerGroup, outPerGroup, input, kernel,
                List.copyOf(Collections.nCopies(rank(), 1)), padLow, padHigh, dilation, bias, seed);
    }

    public int rank() {
        return input.size();
    }

    public int channels() {
        return groups * inPerGroup;
    }

    public int filters() {
        return groups * outPerGroup;
    }

    public ConvGeometry geometry() {
        return new ConvGeometry(stride, padLow, padHigh, dilation, groups);
    }

    public Shape xShape() {
        return Shape.concat(List.of(batch, channels()), input);
    }

    public Shape wShape() {
        return Shape.concat(List.of(filters(), inPerGroup), kernel);
    }

    /** Output extents by counting the window positions whose last tap lies inside the padded input. */
    public List<Integer> expectedOutput() {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < rank(); i++) {
            int count = 0;
            while (count * stride.get(i) + dilation.get(i) * (kernel.get(i) - 1)
                    <= input.get(i) + padLow.get(i) + padHigh.get(i) - 1) {
                count++;
            }
            out.add(count);
        }
        return out;
    }

    public Shape expectedYShape() {
        return Shape.concat(List.of(batch, filters()), expectedOutput());
    }

    /** x → conv (w, optional b) → loss = sum(conv · r). Node names: x, w, b, conv, loss, loss.r. */
    public Graph graph() {
        GraphBuilder b = new GraphBuilder();
        Node x = b.input("x", xShape(), DType.F32);
        Node w = b.parameter("w", wShape(), new ParamInit.Uniform(1));
        Node y = bias
                ? b.apply("conv", new Conv(geometry()), x, w, b.parameter("b", Shape.of(filters()),
                        new ParamInit.Uniform(1)))
                : b.apply("conv", new Conv(geometry()), x, w);
        return b.output(TestGraphs.weightedSum(b, y, "loss")).build();
    }
}
