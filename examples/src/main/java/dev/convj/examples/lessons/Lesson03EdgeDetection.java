package dev.convj.examples.lessons;

import static dev.convj.dsl.LayerOption.noBias;

import dev.convj.dsl.Network;
import dev.convj.examples.Backend;
import dev.convj.graph.ModelGraph;
import dev.convj.runtime.Executable;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import javax.imageio.ImageIO;

/**
 * Lesson 3: why convolution is efficient (the edge detector of Goodfellow, Bengio and Courville, Deep Learning, §9.3). A 2-element
 * kernel [−1, 1] subtracts each pixel's left neighbour from it, finding vertical edges in a 320×280 image. The same
 * linear map as a dense matrix stores over 8·10⁹ floats; as a sparse matrix 178,640; the kernel 2. The program
 * computes the table, runs the convolution through ConvJ, and times the convolution and the equivalent dense
 * matrix product at a size that fits in memory. Argument: [output folder, default runs/lesson03].
 */
public final class Lesson03EdgeDetection {
    private Lesson03EdgeDetection() {}

    public static final int WIDTH = 320, HEIGHT = 280;

    /** Stored floats and operations of the three ways to compute the edge map of a w×h image. */
    public record Costs(long convFloats, long convOps, long denseFloats, long denseOps, long sparseFloats, long sparseOps) {
        static Costs of(int w, int h) {
            long in = (long) w * h, out = (long) (w - 1) * h;
            // Convolution: 2 weights; per output pixel 2 multiplications and 1 addition.
            // Dense: one entry per (output, input) pair; a multiplication and an addition per entry.
            // Sparse: only the 2 non-zeros per row; 2 multiplications and 1 addition per row, as the convolution.
            return new Costs(2, 3 * out, in * out, 2 * in * out, 2 * out, 3 * out);
        }
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args.length > 0 ? args[0] : "runs/lesson03");
        float[] image = picture(WIDTH, HEIGHT);

        // The convolution through ConvJ: one filter, kernel 1 high and 2 wide, no bias.
        Network edge = Network.input(1, HEIGHT, WIDTH).conv2d(1, 1, 2, noBias()).named("edges");
        ModelGraph mg = edge.graph(1);
        Executable exe = Backend.factory(1).create(mg.graph());
        exe.set("edges.weight", new float[] {-1, 1});
        exe.set("x", image);
        long t0 = System.nanoTime();
        exe.run();
        double convjMs = (System.nanoTime() - t0) / 1e6;
        float[] edges = exe.get("edges");
        float[] loop = convolve(image, WIDTH, HEIGHT);
        for (int i = 0; i < loop.length; i++) {
            if (loop[i] != edges[i]) {
                throw new AssertionError("ConvJ and the plain loop disagree at " + i);
            }
        }
        double loopMs = bestOf(() -> convolve(image, WIDTH, HEIGHT));

        Costs c = Costs.of(WIDTH, HEIGHT);
        System.out.printf(Locale.ROOT, "Edge detection on a %d×%d image with the 2-element kernel [-1, 1] → %d×%d output%n%n",
                WIDTH, HEIGHT, WIDTH - 1, HEIGHT);
        System.out.printf(Locale.ROOT, "%-15s %18s %22s%n", "", "stored floats", "operations (× and +)");
        System.out.printf(Locale.ROOT, "%-15s %,18d %,22d%n", "convolution", c.convFloats(), c.convOps());
        System.out.printf(Locale.ROOT, "%-15s %,18d %,22d%n", "dense matrix", c.denseFloats(), c.denseOps());
        System.out.printf(Locale.ROOT, "%-15s %,18d %,22d%n%n", "sparse matrix", c.sparseFloats(), c.sparseOps());

        // The dense matrix of the full image needs 32 GB: time it at 64×56, where it takes 50 MB, and scale up.
        int w = 64, h = 56;
        float[] small = picture(w, h);
        float[][] matrix = denseMatrix(w, h);
        float[] viaMatrix = multiply(matrix, small);
        float[] viaConv = convolve(small, w, h);
        for (int i = 0; i < viaConv.length; i++) {
            if (viaConv[i] != viaMatrix[i]) {
                throw new AssertionError("the dense matrix and the convolution disagree at " + i);
            }
        }
        double denseMs = bestOf(() -> multiply(matrix, small));
        double smallConvMs = bestOf(() -> convolve(small, w, h));
        Costs s = Costs.of(w, h);
        System.out.printf(Locale.ROOT, "measured on %d×%d (the dense matrix has %,d floats = %,d MB):%n", w, h,
                s.denseFloats(), s.denseFloats() * 4 / 1_000_000);
        System.out.printf(Locale.ROOT, "  convolution (plain loop)     %10.4f ms%n", smallConvMs);
        System.out.printf(Locale.ROOT, "  dense matrix × vector        %10.4f ms  (%.0f× slower, same result)%n", denseMs,
                denseMs / smallConvMs);
        System.out.printf(Locale.ROOT, "measured on %d×%d:%n", WIDTH, HEIGHT);
        System.out.printf(Locale.ROOT, "  convolution (plain loop)     %10.4f ms%n", loopMs);
        System.out.printf(Locale.ROOT, "  convolution (ConvJ backend)  %10.4f ms  (one cold run; %s)%n", convjMs,
                Backend.describe(1));
        System.out.printf(Locale.ROOT, "  dense matrix, extrapolated   %10.0f ms and %,d MB of memory%n",
                denseMs * c.denseFloats() / s.denseFloats(), c.denseFloats() * 4 / 1_000_000);

        Files.createDirectories(dir);
        ImageIO.write(toImage(image, WIDTH, HEIGHT, false), "png", dir.resolve("input.png").toFile());
        ImageIO.write(toImage(edges, WIDTH - 1, HEIGHT, true), "png", dir.resolve("edges.png").toFile());
        System.out.println("\ninput.png and edges.png written to " + dir);
    }

    /** out[y][x] = in[y][x+1] − in[y][x]: the kernel [−1, 1] as a cross-correlation. */
    static float[] convolve(float[] in, int w, int h) {
        float[] out = new float[(w - 1) * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w - 1; x++) {
                out[y * (w - 1) + x] = -1 * in[y * w + x] + 1 * in[y * w + x + 1];
            }
        }
        return out;
    }

    /** The same linear map as a dense ((w−1)·h) × (w·h) matrix: two non-zeros per row. */
    static float[][] denseMatrix(int w, int h) {
        float[][] m = new float[(w - 1) * h][w * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w - 1; x++) {
                m[y * (w - 1) + x][y * w + x] = -1;
                m[y * (w - 1) + x][y * w + x + 1] = 1;
            }
        }
        return m;
    }

    static float[] multiply(float[][] m, float[] v) {
        float[] out = new float[m.length];
        for (int r = 0; r < m.length; r++) {
            float[] row = m[r];
            float sum = 0;
            for (int c = 0; c < row.length; c++) {
                sum += row[c] * v[c];
            }
            out[r] = sum;
        }
        return out;
    }

    /** The best of a few timed runs, in milliseconds, after warming up. */
    static double bestOf(Runnable work) {
        double best = Double.MAX_VALUE;
        long deadline = System.nanoTime() + 1_000_000_000L;
        for (int i = 0; i < 50 && (i < 5 || System.nanoTime() < deadline); i++) {
            long t = System.nanoTime();
            work.run();
            best = Math.min(best, (System.nanoTime() - t) / 1e6);
        }
        return best;
    }

    /** A grey picture with a few shapes, values in [0, 1]. */
    static float[] picture(int w, int h) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(new Color(40, 40, 40));
        g.fillRect(0, 0, w, h);
        g.setColor(new Color(200, 200, 200));
        g.fillOval(w / 8, h / 6, w / 3, w / 3);
        g.setColor(new Color(120, 120, 120));
        g.fillRect(w / 2, h / 3, w / 3, h / 2);
        g.setColor(Color.WHITE);
        g.setStroke(new BasicStroke(Math.max(1, w / 100f)));
        g.drawLine(0, h - 1, w - 1, h / 8);
        g.dispose();
        float[] v = new float[w * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                v[y * w + x] = img.getRaster().getSample(x, y, 0) / 255f;
            }
        }
        return v;
    }

    static BufferedImage toImage(float[] v, int w, int h, boolean signed) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                float p = v[y * w + x];
                float g = signed ? 0.5f + p / 2 : p;
                img.getRaster().setSample(x, y, 0, Math.round(Math.max(0, Math.min(1, g)) * 255));
            }
        }
        return img;
    }
}
