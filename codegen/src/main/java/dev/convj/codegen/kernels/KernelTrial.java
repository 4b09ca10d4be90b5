package dev.convj.codegen.kernels;

import java.io.File;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * One candidate width's trial for {@link KernelChoice}: rounds of every kernel of that width (the GEMM tiles, the dot
 * products, packing, the copy-out, 2×2 max pooling) on small data until a round allocates nothing — the JIT has
 * compiled them all to vector code — or the time budget runs out; then the tile kernel is timed. Where two panels per
 * tile may run, their tiles are then warmed and timed the same way, on a budget of their own.
 * <p>Each trial runs in a JVM of its own, started with this JVM's options: on JDK 17 a width that C2 fails to compile
 * leaves the shared Vector API methods' profiles so that a width tried after it in the same JVM boxes too, so a JVM
 * may only ever run the one width it chose.
 */
final class KernelTrial {
    private KernelTrial() {}

    /**
     * The least wall time a width gets to stop allocating: C2 compiles the kernels in about a second on one free core,
     * so three leave room on any idle host, however many compiler threads it runs.
     */
    static final long BUDGET_MIN_WALL_NANOS = 3_000_000_000L;
    /**
     * Beyond that, the wait goes on until the trial JVM has had this much CPU time (all its threads, the JIT's
     * included): a busy host starves the JIT's threads, and wall time alone would make a width look uncompilable.
     */
    static final long BUDGET_CPU_NANOS = 6_000_000_000L;
    /**
     * The wall-clock limit of the waits together (the kernels', then the stacked tiles'), for a host so busy that even
     * the CPU budget would take too long.
     */
    static final long BUDGET_WALL_NANOS = 45_000_000_000L;
    /** Rounds per allocation window: enough that an interpreted or boxing round cannot hide in it. */
    private static final int WINDOW = 8;
    /** Depth of the trial's tiles: B's panel stays in L1 at every width. */
    private static final int KC = 96;
    /** Time spent timing the warm tile kernel, in windows. */
    private static final long TIMING_NANOS = 100_000_000L;
    private static final int TIMING_WINDOWS = 40;
    /** What a child JVM prints before its result, so that nothing else it prints is taken for one. */
    private static final String RESULT = "convj-kernel-trial";

    /** The kernel of a width: 512, 256, 128, or anything else for plain Java. */
    static MicroKernel kernelOf(int bits) {
        switch (bits) {
            case 512:
                return Vector512Kernel.INSTANCE;
            case 256:
                return Vector256Kernel.INSTANCE;
            case 128:
                return Vector128Kernel.INSTANCE;
            default:
                return ScalarKernel.INSTANCE;
        }
    }

    /** Runs the trial of each width given, in this JVM, one result line each: used by {@link #inChildJvm}. */
    public static void main(String[] args) {
        for (String bits : args) {
            KernelChoice.Trial t = run(Integer.parseInt(bits));
            System.out.printf(Locale.ROOT, "%s %d %b %.3f %.3f %.3f %.3f %.1f%n", RESULT, t.bits(), t.compiled(),
                    t.gflops(), t.twoPanelGflops(), t.gatherGflops(), t.narrowGatherGflops(), t.millis());
        }
    }

    /**
     * The trial of one width in a new JVM with this one's vector-relevant options, or empty when no JVM could be
     * started or it gave no result.
     */
    static Optional<KernelChoice.Trial> inChildJvm(int bits) {
        long start = System.nanoTime();
        try {
            List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.addAll(jvmOptions());
            command.add("-Dconvj.vectorBits=0"); // the child never chooses for itself
            command.add("-cp");
            command.add(classPath());
            command.add(KernelTrial.class.getName());
            command.add(Integer.toString(bits));
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            p.getOutputStream().close();
            // waited for before reading, so that a child that hangs cannot hold this JVM: it prints a line or two,
            // far less than the pipe holds
            if (!p.waitFor(BUDGET_WALL_NANOS + 15_000_000_000L, TimeUnit.NANOSECONDS)) {
                p.destroyForcibly();
                return Optional.empty();
            }
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            for (String line : output.split("\n")) {
                String[] f = line.strip().split(" ");
                if (f.length == 8 && f[0].equals(RESULT) && f[1].equals(Integer.toString(bits))) {
                    return Optional.of(new KernelChoice.Trial(bits, Boolean.parseBoolean(f[2]),
                            Double.parseDouble(f[3]), Double.parseDouble(f[4]), Double.parseDouble(f[5]),
                            Double.parseDouble(f[6]), (System.nanoTime() - start) / 1e6));
                }
            }
            return Optional.empty();
        } catch (IOException | RuntimeException | URISyntaxException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /** This JVM's options that shape compiled vector code: -XX flags, module and Unsafe options, ConvJ's own. */
    static List<String> jvmOptions() {
        List<String> out = new ArrayList<>();
        List<String> in = ManagementFactory.getRuntimeMXBean().getInputArguments();
        for (int i = 0; i < in.size(); i++) {
            String a = in.get(i);
            if (a.startsWith("-XX:") && !a.startsWith("-XX:StartFlightRecording") && !a.startsWith("-XX:Flight")
                    && !a.startsWith("-XX:On") && !a.contains("Path=") && !a.contains("File=")) {
                out.add(a);
            } else if (a.startsWith("--add-modules=") || a.startsWith("--sun-misc-unsafe-memory-access")
                    || a.startsWith("-Dconvj.uncheckedReads") || a.startsWith("-Dconvj.twoPanels")) {
                out.add(a);
            } else if (a.equals("--add-modules") && i + 1 < in.size()) {
                out.add(a);
                out.add(in.get(++i));
            }
        }
        if (!String.join(" ", out).contains("jdk.incubator.vector")) {
            out.add("--add-modules=jdk.incubator.vector");
        }
        return out;
    }

    /** Where this class was loaded from: a jar, or a directory of classes. */
    private static String classPath() throws URISyntaxException {
        var source = KernelTrial.class.getProtectionDomain().getCodeSource();
        if (source == null || source.getLocation() == null) {
            return System.getProperty("java.class.path");
        }
        return new File(source.getLocation().toURI()).getPath();
    }

    /** The trial, in this JVM. */
    static KernelChoice.Trial run(int bits) {
        // one wall limit for both waits, so that a trial on a starved host still ends within its parent's wait
        long deadline = System.nanoTime() + BUDGET_WALL_NANOS;
        return run(bits, round -> warm(round, deadline));
    }

    /** The trial, with {@code warm} deciding whether rounds of kernels compiled (a test gives its own). */
    static KernelChoice.Trial run(int bits, Predicate<Runnable> warm) {
        long start = System.nanoTime();
        MicroKernel k = kernelOf(bits);
        Data d = new Data(k.columns());
        boolean compiled = warm.test(() -> round(k, bits, d));
        double gflops = compiled ? time(k, d, Timed.TILE) : 0;
        // the gathered GEMM's wide and narrow tiles: the cost model prices a narrow tile's multiply-add at their ratio
        // (it broadcasts an image value for every FMA where the wide one broadcasts one for two, so the ratio depends
        // on how many loads a core issues beside its FMAs)
        double[] gathered = compiled ? timeInTurn(k, d, Timed.GATHERED, Timed.GATHERED_NARROW) : new double[2];
        // The stacked tiles are warmed apart and after the rest is timed: with 16 vector registers (AVX2) C2 took
        // seconds over their 24 accumulators, and a budget shared with the rest made the whole width look
        // uncompilable; waiting for them, or their never compiling, may cost two panels but never the width.
        boolean twoPanelsCompiled = compiled && KernelChoice.twoPanelsMayRun()
                && warm.test(() -> twoPanelRound(k, d));
        double twoPanelGflops = 0;
        if (twoPanelsCompiled) {
            double[] inTurn = timeInTurn(k, d, Timed.TILE, Timed.TWO_PANELS);
            gflops = Math.max(gflops, inTurn[0]);
            twoPanelGflops = inTurn[1];
        }
        return new KernelChoice.Trial(bits, compiled, gflops, twoPanelGflops, gathered[0], gathered[1],
                (System.nanoTime() - start) / 1e6);
    }

    /**
     * Runs rounds until a window of them allocates nothing (true: the JIT has compiled them to vector code) or the
     * budget is spent (false).
     */
    private static boolean warm(Runnable round, long deadline) {
        long start = System.nanoTime(), cpuStart = processCpuNanos();
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        while (!budgetSpent(start, cpuStart, deadline)) {
            for (int i = 0; i < WINDOW; i++) {
                round.run();
            }
            long before = threads.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < WINDOW; i++) {
                round.run();
            }
            if (threads.getCurrentThreadAllocatedBytes() == before) {
                return true;
            }
        }
        return false;
    }

    /** Whether a wait for the JIT is over: the least wall time passed and the CPU budget used, or the deadline. */
    private static boolean budgetSpent(long wallStart, long cpuStart, long deadline) {
        long now = System.nanoTime(), wall = now - wallStart;
        if (now - deadline >= 0) {
            return true;
        }
        if (wall < BUDGET_MIN_WALL_NANOS) {
            return false;
        }
        long cpu = processCpuNanos();
        if (cpu < 0 || cpuStart < 0) { // no CPU clock: what an idle host needs
            return true;
        }
        return cpu - cpuStart >= BUDGET_CPU_NANOS;
    }

    /** CPU time of every thread of this JVM, or -1 where the platform does not tell. */
    private static long processCpuNanos() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                ? os.getProcessCpuTime() : -1;
    }

    /** Every kernel of the width once, both sides of each branch, so that no warm call meets code the JIT left out. */
    private static void round(MicroKernel k, int bits, Data d) {
        int nr = k.columns();
        k.tile(KC, d.pa, 0, d.pb, 0, nr, d.c, 0, nr, MicroKernel.ZEROS, 0, 0);
        k.tile(KC, d.pa, 0, d.pb, 0, nr, d.c, 0, nr, d.c, 0, nr);
        k.tileAt(KC, d.pa, 0, d.pb, 0, d.rows, 0, d.c, 0, nr, MicroKernel.ZEROS, 0, 0);
        k.tileAt(KC, d.pa, 0, d.pb, 0, d.rows, 0, d.c, 0, nr, d.c, 0, nr);
        k.tile4(KC, d.pa, 0, d.pb, 0, nr, null, 0, d.c, 0, nr, MicroKernel.ZEROS, 0, 0);
        k.tile4(KC, d.pa, 0, d.pb, 0, 0, d.rows, 0, d.c, 0, nr, d.c, 0, nr);
        k.dots(KC, d.pb, 0, KC, 2 * KC, d.pb, 3 * KC, 4 * KC, 5 * KC, 6 * KC, d.sums);
        k.dots(KC + 3, d.pb, 0, KC, 2 * KC, d.pb, 3 * KC, 4 * KC, 5 * KC, 6 * KC, d.sums);
        k.dotLanes(KC, d.pb, 0, KC, 2 * KC, d.pb, 3 * KC, 4 * KC, 5 * KC, 6 * KC, d.sums, 12);
        k.gatherTile(KC, d.x, 0, d.taps, 0, d.positions, 0, d.pb, 0, d.c, 0, nr, MicroKernel.ZEROS, 0, 0);
        k.gatherTile(KC, d.x, 0, d.taps, 0, d.positions, 0, d.pb, 0, d.c, 0, nr, d.c, 0, nr);
        k.gatherTileNarrow(KC, d.x, 0, d.taps, 0, d.positions, 0, d.pb, 0, d.c, 0, nr, MicroKernel.ZEROS, 0, 0);
        k.gatherTileNarrow(KC, d.x, 0, d.taps, 0, d.positions, 0, d.pb, 0, d.c, 0, nr, d.c, 0, nr);
        k.packShifted(KC, d.pb, 0, d.rows, 0, d.panel);
        k.copyOutRows(d.panel, 0, nr + 3, d.c, 0, nr + 1, 2, nr + 1, 0.5f, 0f);
        k.copyRows(d.panel, 0, nr + 3, d.c, 0, nr + 1, 2, nr + 1);
        k.copyRows(d.panel, 0, nr + 3, d.c, 0, 4 * nr + 1, 2, 4 * nr + 1);
        k.copyOutRows(d.panel, 0, nr + 3, d.c, 0, nr + 1, 2, nr + 1, 0.5f, Float.NEGATIVE_INFINITY);
        if (bits == 512) {
            Vector512Pool.maxForward2x2(d.plane, d.pooled, 0, 1, Data.H, Data.W);
            Vector512Pool.maxBackward2x2(d.plane, d.pooled, d.plane, d.planeGrad, 0, 1, Data.H, Data.W);
            Vector512Pool.maxBackward2x2(d.plane, d.pooled, null, d.planeGrad, 0, 1, Data.H, Data.W);
            Vector512Pool.maxForward2x2(d.plane, d.pooled, 0, 1, Data.H, Data.narrow(bits));
        } else if (bits == 256) {
            Vector256Pool.maxForward2x2(d.plane, d.pooled, 0, 1, Data.H, Data.W);
            Vector256Pool.maxBackward2x2(d.plane, d.pooled, d.plane, d.planeGrad, 0, 1, Data.H, Data.W);
            Vector256Pool.maxBackward2x2(d.plane, d.pooled, null, d.planeGrad, 0, 1, Data.H, Data.W);
            Vector256Pool.maxForward2x2(d.plane, d.pooled, 0, 1, Data.H, Data.narrow(bits));
        } else if (bits == 128) {
            Vector128Pool.maxForward2x2(d.plane, d.pooled, 0, 1, Data.H, Data.W);
            Vector128Pool.maxBackward2x2(d.plane, d.pooled, d.plane, d.planeGrad, 0, 1, Data.H, Data.W);
            Vector128Pool.maxBackward2x2(d.plane, d.pooled, null, d.planeGrad, 0, 1, Data.H, Data.W);
            Vector128Pool.maxForward2x2(d.plane, d.pooled, 0, 1, Data.H, Data.narrow(bits));
        }
    }

    /** The two-panel tiles of {@link MicroKernel#tile2} and {@link MicroKernel#tileAt2}, both sides of each branch. */
    private static void twoPanelRound(MicroKernel k, Data d) {
        int nr = k.columns();
        k.tile2(KC, d.pa, 0, Gemm.MR * KC, d.pb, 0, nr, d.c, 0, nr, MicroKernel.ZEROS, 0, 0);
        k.tile2(KC, d.pa, 0, Gemm.MR * KC, d.pb, 0, nr, d.c, 0, nr, d.c, 0, nr);
        k.tileAt2(KC, d.pa, 0, Gemm.MR * KC, d.pb, 0, d.rows, 0, d.c, 0, nr, MicroKernel.ZEROS, 0, 0);
        k.tileAt2(KC, d.pa, 0, Gemm.MR * KC, d.pb, 0, d.rows, 0, d.c, 0, nr, d.c, 0, nr);
    }

    /** The tiles a trial times. */
    private enum Timed {
        /** {@link MicroKernel#tile}: MR rows by NR columns, B packed. */
        TILE,
        /** {@link MicroKernel#tile2}: two panels of A stacked. */
        TWO_PANELS,
        /** {@link MicroKernel#gatherTile}: MR rows by NR columns, A read from an image through offset tables. */
        GATHERED,
        /** {@link MicroKernel#gatherTileNarrow}: {@link MicroKernel#NARROW_ROWS} rows by one vector. */
        GATHERED_NARROW;

        /** Multiply-adds of one call on a kernel of nr columns. */
        long multiplyAdds(int nr) {
            return (long) KC * switch (this) {
                case TILE, GATHERED -> Gemm.MR * nr;
                case TWO_PANELS -> 2 * Gemm.MR * nr;
                case GATHERED_NARROW -> MicroKernel.NARROW_ROWS * (nr / 2);
            };
        }
    }

    /** GFLOP/s of the warm tile: the best of short windows, as load comes and goes. */
    private static double time(MicroKernel k, Data d, Timed tile) {
        double best = 0;
        for (int w = 0; w < TIMING_WINDOWS; w++) {
            best = Math.max(best, window(k, d, tile));
        }
        return best;
    }

    /**
     * The best of two tiles over windows taken in turn: a host whose load comes and goes then slows both alike, and
     * cannot make the slower tile look faster (on AVX2, one 6×16 figure taken alone came out at 44 GFLOP/s in a busy
     * moment and 88 in a quiet one, against 37 for the stacked tiles).
     */
    private static double[] timeInTurn(MicroKernel k, Data d, Timed first, Timed second) {
        double a = 0, b = 0;
        for (int w = 0; w < TIMING_WINDOWS; w++) {
            a = Math.max(a, window(k, d, first));
            b = Math.max(b, window(k, d, second));
        }
        return new double[] {a, b};
    }

    /** GFLOP/s of one timing window of a tile, its sums started from zero on the first call and from C after. */
    private static double window(MicroKernel k, Data d, Timed tile) {
        int nr = k.columns();
        long calls = 0, start = System.nanoTime(), elapsed;
        do {
            for (int i = 0; i < 64; i++) {
                float[] from = i > 0 ? d.c : MicroKernel.ZEROS;
                int startLd = i > 0 ? nr : 0;
                switch (tile) {
                    case TILE -> k.tile(KC, d.pa, 0, d.pb, 0, nr, d.c, 0, nr, from, 0, startLd);
                    case TWO_PANELS -> k.tile2(KC, d.pa, 0, Gemm.MR * KC, d.pb, 0, nr, d.c, 0, nr, from, 0, startLd);
                    case GATHERED -> k.gatherTile(KC, d.x, 0, d.taps, 0, d.positions, 0, d.pb, 0, d.c, 0, nr, from, 0,
                            startLd);
                    case GATHERED_NARROW -> k.gatherTileNarrow(KC, d.x, 0, d.taps, 0, d.positions, 0, d.pb, 0, d.c,
                            0, nr, from, 0, startLd);
                }
            }
            calls += 64;
            elapsed = System.nanoTime() - start;
        } while (elapsed < TIMING_NANOS / TIMING_WINDOWS);
        return 2.0 * tile.multiplyAdds(nr) * calls / elapsed;
    }

    /** The trial's operands, sized for NR columns; small values, so repeated accumulation stays finite. */
    private static final class Data {
        /** A plane wide enough for whole vectors at every width (w / 2 ≥ 16 lanes). */
        static final int H = 4, W = 32;

        /** A plane of more than half a vector of windows a row but less than a whole one (the scratch-row path). */
        static int narrow(int bits) {
            return bits / 32 + 2;
        }
        final float[] pa = new float[2 * Gemm.MR * KC];
        final float[] pb;
        final float[] c;
        final float[] panel;
        final float[] sums = new float[MicroKernel.DOTS_FLOATS];
        final int[] rows = new int[KC];
        /**
         * A gathered tile's operands, laid out as a weight gradient's: rows of taps (one every {@link #TAP_STEP}
         * floats) reading an image at KC consecutive positions.
         */
        static final int TAP_STEP = 5;
        final int[] taps = new int[MicroKernel.NARROW_ROWS], positions = new int[KC];
        final float[] x = new float[TAP_STEP * MicroKernel.NARROW_ROWS + KC];
        final float[] plane = new float[H * W], pooled = new float[H * W / 4], planeGrad = new float[H * W];

        Data(int nr) {
            Random random = new Random(1);
            pb = new float[Math.max(KC * nr, 7 * KC + 3) + 2 * nr];
            c = new float[2 * Gemm.MR * nr];
            panel = new float[KC * nr];
            fill(random, pa);
            fill(random, pb);
            fill(random, plane);
            fill(random, x);
            for (int i = 0; i < taps.length; i++) {
                taps[i] = i * TAP_STEP;
            }
            for (int p = 0; p < KC; p++) {
                positions[p] = p;
            }
            for (int p = 0; p < KC; p++) {
                rows[p] = p * nr;
            }
        }

        private static void fill(Random random, float[] a) {
            for (int i = 0; i < a.length; i++) {
                a[i] = random.nextFloat() - 0.5f;
            }
        }
    }
}
