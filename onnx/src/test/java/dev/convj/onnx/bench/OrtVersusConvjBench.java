package dev.convj.onnx.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.convj.graph.ModelGraph;
import dev.convj.onnx.imports.ImportedModel;
import dev.convj.onnx.imports.OnnxImporter;
import dev.convj.runtime.Executable;
import dev.convj.runtime.compile.GraphCompiler;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * Inference speed on the same ONNX file: ONNX Runtime's Java API (all graph optimizations, N intra-op threads)
 * against ConvJ's compiled inference graph of the imported model, images/s at one batch size. Each figure is the
 * median of several timed windows after a warm-up; the outputs of both are compared once. ConvJ is timed before ONNX
 * Runtime runs too (printed last), to show that ORT's threads leave nothing behind that slows it.
 * <pre>
 * OrtVersusConvjBench [--batch 256] [--threads 1,2] [--seconds 3] [--repeats 3] FILE.onnx…
 * </pre>
 */
public final class OrtVersusConvjBench {

    /** Runs one batch; returns nothing, the harness only times it. */
    private interface Step {
        void run() throws Exception;
    }

    public static void main(String[] args) throws Exception {
        int batch = 256, repeats = 3;
        double seconds = 3;
        List<Integer> threads = List.of(1, 2);
        List<Path> files = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--batch" -> batch = Integer.parseInt(args[++i]);
                case "--seconds" -> seconds = Double.parseDouble(args[++i]);
                case "--repeats" -> repeats = Integer.parseInt(args[++i]);
                case "--threads" -> threads = Arrays.stream(args[++i].split(",")).map(Integer::parseInt).toList();
                default -> files.add(Path.of(args[i]));
            }
        }
        if (files.isEmpty()) {
            System.err.println("usage: OrtVersusConvjBench [--batch 256] [--threads 1,2] [--seconds 3] [--repeats 3]"
                    + " FILE.onnx...");
            System.exit(2);
        }
        System.out.printf(Locale.ROOT, "batch %d, %s s windows, median of %d, %s, %d cores, ConvJ kernel: %s%n", batch,
                seconds, repeats, System.getProperty("java.vm.name") + " " + Runtime.version(),
                Runtime.getRuntime().availableProcessors(), dev.convj.codegen.kernels.KernelChoice.describe());
        for (Path file : files) {
            ImportedModel model = OnnxImporter.read(file);
            ModelGraph g = model.network().inferenceGraph(batch);
            int perImage = g.graph().node(g.input()).shape().size() / batch;
            float[] x = new float[batch * perImage];
            Random random = new Random(1);
            for (int i = 0; i < x.length; i++) {
                x[i] = random.nextFloat();
            }
            long[] shape = g.graph().node(g.input()).shape().dims().stream().mapToLong(Integer::longValue).toArray();
            for (int t : threads) {
                Executable exe = GraphCompiler.standard().compile(g.graph(), t);
                model.weights().forEach(exe::set);
                exe.set(g.input(), x);
                double convjBefore = imagesPerSecond(exe::run, batch, seconds, repeats);
                float[] ortOut = new float[0];
                double ort;
                OrtEnvironment env = OrtEnvironment.getEnvironment();
                try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
                    options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
                    options.setIntraOpNumThreads(t);
                    options.setInterOpNumThreads(1);
                    options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
                    try (OrtSession session = env.createSession(Files.readAllBytes(file), options);
                         OnnxTensor input = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), shape)) {
                        String name = session.getInputNames().iterator().next();
                        Map<String, OnnxTensor> feeds = Map.of(name, input);
                        ort = imagesPerSecond(() -> session.run(feeds).close(), batch, seconds, repeats);
                        try (OrtSession.Result r = session.run(feeds)) {
                            FloatBuffer b = ((OnnxTensor) r.get(0)).getFloatBuffer();
                            ortOut = new float[b.remaining()];
                            b.get(ortOut);
                        }
                    }
                }
                double convj = imagesPerSecond(exe::run, batch, seconds, repeats);
                float[] convjOut = exe.get(g.output());
                double worst = 0;
                for (int i = 0; i < convjOut.length; i++) {
                    worst = Math.max(worst, Math.abs(convjOut[i] - ortOut[i]) / (1 + Math.abs(ortOut[i])));
                }
                System.out.printf(Locale.ROOT, "%-28s %d thread(s): ONNX Runtime %,10.0f images/s, ConvJ %,10.0f"
                        + " images/s, ConvJ / ORT %.2f× (outputs agree to %.1e; ConvJ before ORT ran: %,.0f)%n",
                        file.getFileName(), t, ort, convj, convj / ort, worst, convjBefore);
            }
        }
    }

    private static double imagesPerSecond(Step step, int batch, double seconds, int repeats) throws Exception {
        long warm = System.nanoTime() + (long) (seconds * 1e9);
        while (System.nanoTime() < warm) {
            step.run();
        }
        double[] rates = new double[repeats];
        for (int r = 0; r < repeats; r++) {
            long start = System.nanoTime(), end = start + (long) (seconds * 1e9);
            int runs = 0;
            long now;
            do {
                step.run();
                runs++;
                now = System.nanoTime();
            } while (now < end);
            rates[r] = runs * (double) batch / ((now - start) / 1e9);
        }
        Arrays.sort(rates);
        return rates[repeats / 2];
    }
}
