package dev.convj.examples.bench;

import java.util.Arrays;

/** Times a repeated action: warm-up, then the median of a few windows of about {@code seconds} each. */
final class Timer {
    private Timer() {}

    /** Seconds per call: the median over {@code windows} windows, after warming up for one window. */
    static double secondsPerCall(Runnable action, double seconds, int windows) {
        window(action, seconds); // warm-up: JIT compilation, caches
        double[] perCall = new double[windows];
        for (int w = 0; w < windows; w++) {
            perCall[w] = window(action, seconds);
        }
        Arrays.sort(perCall);
        return perCall[windows / 2];
    }

    private static double window(Runnable action, double seconds) {
        long budget = (long) (seconds * 1e9);
        long start = System.nanoTime();
        int calls = 0;
        long elapsed;
        do {
            action.run();
            calls++;
            elapsed = System.nanoTime() - start;
        } while (elapsed < budget);
        return elapsed / 1e9 / calls;
    }
}
