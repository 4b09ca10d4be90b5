package dev.convj.examples.bench;

import java.lang.management.ManagementFactory;

/**
 * Heap bytes allocated per call, summed over every live thread (the calling thread and the compiled graph's
 * workers), from HotSpot's per-thread allocation counters. Unlike a timing, this figure does not depend on what
 * else the machine is doing.
 */
final class Allocation {
    private Allocation() {}

    /** Bytes allocated per call of {@code task} over {@code calls} calls, less what measuring itself allocates. */
    static double bytesPerCall(Runnable task, int calls) {
        long first = allocatedSoFar();
        long overhead = allocatedSoFar() - first; // what one reading of the counters allocates
        long before = allocatedSoFar();
        for (int i = 0; i < calls; i++) {
            task.run();
        }
        long spent = allocatedSoFar() - before - overhead;
        return Math.max(0, spent) / (double) calls;
    }

    private static long allocatedSoFar() {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long sum = 0;
        for (long bytes : mx.getThreadAllocatedBytes(mx.getAllThreadIds())) {
            sum += Math.max(0, bytes);
        }
        return sum;
    }
}
