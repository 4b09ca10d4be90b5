package dev.convj.examples.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Times a repeated action on a shared machine the way {@code ../shared/bench/torch_bench.py} does, so that the two
 * can be put side by side: the action runs in chunks of about a second, and a chunk counts only when other
 * processes used at most 4 % of the machine's CPU meanwhile (busy time from /proc/stat, steal included, minus this
 * process's own CPU time). Each window collects {@code seconds} of such clean time, or gives up after 30 times that
 * and uses every chunk. Without /proc/stat every chunk counts.
 */
final class Timer {
    private Timer() {}

    private static final double CHUNK_SECONDS = 1.0;
    private static final double FOREIGN_MAX = 0.04;
    private static final double MAX_WALL_FACTOR = 30;
    private static final int CPUS = Runtime.getRuntime().availableProcessors();

    /** Seconds per call: the median over {@code windows} windows, after warming up for one window. */
    static double secondsPerCall(Runnable action, double seconds, int windows) {
        long warmEnd = System.nanoTime() + (long) (seconds * 1e9);
        while (System.nanoTime() < warmEnd) {
            action.run(); // JIT compilation, caches
        }
        double[] perCall = new double[windows];
        for (int w = 0; w < windows; w++) {
            perCall[w] = cleanWindow(action, seconds);
        }
        Arrays.sort(perCall);
        return perCall[windows / 2];
    }

    /** Seconds per call over clean chunks until {@code seconds} of them are collected. */
    private static double cleanWindow(Runnable action, double seconds) {
        double cleanTime = 0, allTime = 0;
        long cleanCalls = 0, allCalls = 0;
        long start = System.nanoTime();
        while (cleanTime < seconds && (System.nanoTime() - start) / 1e9 < seconds * MAX_WALL_FACTOR) {
            double busy0 = machineBusySeconds(), own0 = ownCpuSeconds();
            long t0 = System.nanoTime();
            long calls = 0;
            double elapsed;
            do {
                action.run();
                calls++;
                elapsed = (System.nanoTime() - t0) / 1e9;
            } while (elapsed < CHUNK_SECONDS);
            double foreign = Double.isNaN(busy0) ? 0
                    : Math.max(0, (machineBusySeconds() - busy0 - (ownCpuSeconds() - own0)) / (elapsed * CPUS));
            allTime += elapsed;
            allCalls += calls;
            if (foreign <= FOREIGN_MAX) {
                cleanTime += elapsed;
                cleanCalls += calls;
            }
        }
        return cleanCalls > 0 ? cleanTime / cleanCalls : allTime / allCalls;
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
