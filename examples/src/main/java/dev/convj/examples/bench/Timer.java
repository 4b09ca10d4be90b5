package dev.convj.examples.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Times a repeated action on a shared machine the way {@code ../shared/bench/torch_bench.py} does, so that the two
 * can be put side by side: the action runs in chunks of about a second, and a chunk counts only when other
 * processes used at most 4 % of the machine's CPU meanwhile (busy time from /proc/stat, steal included, minus this
 * process's own CPU time). A window collects {@code seconds} of such clean time; while it waits it says so, and after
 * {@link #patience} times that in wall time it gives up, uses every chunk, and the figure is flagged as taken under
 * load; the figure's later windows then take every chunk at once. Without /proc/stat every chunk counts.
 *
 * @param chunkSeconds the length of one chunk
 * @param patience     a window gives up waiting for quiet after {@code patience · seconds} of wall time
 * @param gauge        how busy other processes kept the machine during a chunk
 * @param progress     receives a line when a window starts waiting and when it gives up
 * @param clock        nanoseconds, as {@link System#nanoTime}
 */
record Timer(double chunkSeconds, double patience, LoadGauge gauge, Consumer<String> progress, LongSupplier clock) {

    private static final double FOREIGN_MAX = 0.04;

    /** The share of all CPUs that other processes used while a chunk ran. */
    interface LoadGauge {
        /** Starts a chunk and returns what {@link #foreignShare} compares with, or NaN when load is unknown. */
        double[] start();

        /** The share of the machine other processes used since {@code start}, or 0 when unknown. */
        double foreignShare(double[] start, double elapsedSeconds);
    }

    /** A figure: seconds per call, and whether it was taken under load (with the other processes' mean share). */
    record Timing(double secondsPerCall, boolean underLoad, double foreignShare) {}

    /** Chunks of a second, up to 5 × the window's length of waiting, /proc/stat as the gauge. */
    static Timer standard(Consumer<String> progress) {
        return new Timer(1.0, 5, new ProcStat(), progress, System::nanoTime);
    }

    /** Seconds per call: the median over {@code windows} windows, after warming up for one window. */
    Timing secondsPerCall(Runnable action, double seconds, int windows) {
        long warmEnd = clock.getAsLong() + (long) (seconds * 1e9);
        while (clock.getAsLong() < warmEnd) {
            action.run(); // JIT compilation, caches
        }
        double[] perCall = new double[windows];
        boolean underLoad = false;
        double foreign = 0;
        for (int w = 0; w < windows; w++) {
            Timing t = window(action, seconds, !underLoad);
            perCall[w] = t.secondsPerCall();
            if (t.underLoad()) {
                underLoad = true;
                foreign = Math.max(foreign, t.foreignShare());
            }
        }
        Arrays.sort(perCall);
        return new Timing(perCall[windows / 2], underLoad, foreign);
    }

    /** Seconds per call over clean chunks until {@code seconds} of them are collected, or over all chunks. */
    private Timing window(Runnable action, double seconds, boolean waitForQuiet) {
        double cleanTime = 0, allTime = 0, foreignTime = 0;
        long cleanCalls = 0, allCalls = 0;
        boolean announced = false;
        long start = clock.getAsLong();
        while (waitForQuiet ? cleanTime < seconds : allTime < seconds) {
            double wall = (clock.getAsLong() - start) / 1e9;
            if (waitForQuiet && wall >= seconds * patience) {
                double share = foreignTime / allTime;
                progress.accept(String.format(Locale.ROOT, "bench: no quiet %.1f s within %.0f s (other processes"
                        + " used %.0f %% of the CPU); this figure is taken under load", seconds, wall, 100 * share));
                return new Timing(allTime / allCalls, true, share);
            }
            if (waitForQuiet && !announced && wall >= 2 * seconds) {
                announced = true;
                progress.accept(String.format(Locale.ROOT, "bench: waiting for a quiet machine: %.1f of %.1f s"
                                + " clean after %.0f s (other processes used %.0f %% of the CPU), at most %.0f s more",
                        cleanTime, seconds, wall, 100 * foreignTime / allTime, seconds * patience - wall));
            }
            double[] mark = gauge.start();
            long t0 = clock.getAsLong();
            long calls = 0;
            double elapsed;
            do {
                action.run();
                calls++;
                elapsed = (clock.getAsLong() - t0) / 1e9;
            } while (elapsed < chunkSeconds);
            double foreign = gauge.foreignShare(mark, elapsed);
            allTime += elapsed;
            allCalls += calls;
            foreignTime += foreign * elapsed;
            if (foreign <= FOREIGN_MAX) {
                cleanTime += elapsed;
                cleanCalls += calls;
            }
        }
        return waitForQuiet ? new Timing(cleanTime / cleanCalls, false, 0)
                : new Timing(allTime / allCalls, true, foreignTime / allTime);
    }

    /** Busy time of the whole machine from /proc/stat minus this process's CPU time. */
    static final class ProcStat implements LoadGauge {
        private static final int CPUS = Runtime.getRuntime().availableProcessors();

        @Override
        public double[] start() {
            return new double[] {machineBusySeconds(), ownCpuSeconds()};
        }

        @Override
        public double foreignShare(double[] start, double elapsedSeconds) {
            if (Double.isNaN(start[0])) {
                return 0;
            }
            double others = machineBusySeconds() - start[0] - (ownCpuSeconds() - start[1]);
            return Math.max(0, others / (elapsedSeconds * CPUS));
        }

        /** CPU seconds the whole machine has been busy (all but idle and iowait; steal counts as busy), or NaN. */
        private static double machineBusySeconds() {
            try {
                String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
                long busy = 0;
                for (int i = 1; i <= 8 && i < f.length; i++) {
                    busy += i == 4 || i == 5 ? 0 : Long.parseLong(f[i]);
                }
                return busy / 100.0; // USER_HZ, 100 on Linux
            } catch (IOException | RuntimeException e) {
                return Double.NaN;
            }
        }

        private static double ownCpuSeconds() {
            return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                    .getProcessCpuTime() / 1e9;
        }
    }
}
