package dev.convj.examples.bench.jmh;

import dev.convj.codegen.kernels.Gemm;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The implicit-im2col GEMM of a stride-1 convolution on its own, {@code Gemm.multiplyImplicit}: C[m×n] = A · B with
 * A (the filters) packed once and B read in place from an image through a k×k kernel's tap offsets, n positions of
 * a grid whose rows are {@code width} wide. This is the loop behind the micro-kernel's measured figures (its
 * {@code gflop} counter is GFLOP/s). Shapes are m×n×K/width/k, e.g. the small VGG's 64-channel layer 64×224×576/16/3
 * and LeNet-5's conv2 16×140×150/14/5:
 * {@code java --add-modules jdk.incubator.vector -cp examples/target/convj.jar org.openjdk.jmh.Main GemmBenchmark}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class GemmBenchmark {

    @Param({"64x224x576/16/3", "64x210x576/15/3", "32x812x288/29/3", "6x224x576/16/3", "16x140x150/14/5"})
    public String shape;

    private int m, n, k;
    private float[] packedA, image, c;
    private int[] taps;
    private Gemm.Workspace workspace;

    /** Floating-point operations done, in units of 10⁹: JMH reports it per second. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Flops {
        public double gflop;
    }

    @Setup(Level.Trial)
    public void prepare() {
        String[] parts = shape.split("[x/]");
        m = Integer.parseInt(parts[0]);
        n = Integer.parseInt(parts[1]);
        k = Integer.parseInt(parts[2]);
        int width = Integer.parseInt(parts[3]), kernel = Integer.parseInt(parts[4]);
        int tapsPerChannel = kernel * kernel, channels = k / tapsPerChannel;
        if (channels * tapsPerChannel != k) {
            throw new IllegalArgumentException(shape + ": K = " + k + " is not channels × " + tapsPerChannel + " taps");
        }
        int plane = (n / width + kernel) * width;
        Random random = new Random(1);
        float[] a = new float[m * k];
        image = new float[channels * plane + width + 128];
        for (int i = 0; i < a.length; i++) {
            a[i] = random.nextFloat();
        }
        for (int i = 0; i < image.length; i++) {
            image[i] = random.nextFloat();
        }
        taps = new int[k];
        for (int row = 0; row < k; row++) {
            int channel = row / tapsPerChannel, t = row % tapsPerChannel;
            taps[row] = channel * plane + (t / kernel) * width + t % kernel;
        }
        packedA = new float[Gemm.packedASize(m, k)];
        Gemm.packA(m, k, a, 0, k, packedA, 0);
        c = new float[m * n + 64];
        workspace = new Gemm.Workspace();
    }

    @Benchmark
    public float implicitGemm(Flops flops) {
        Gemm.multiplyImplicit(m, n, k, packedA, 0, image, 0, taps, c, 0, n, false, workspace);
        flops.gflop += 2.0 * m * n * k / 1e9;
        return c[0];
    }
}
