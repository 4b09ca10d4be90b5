package dev.convj.examples.bench;

import java.lang.management.ManagementFactory;

/**
 * Heap bytes allocated per call, summed over every live thread (the calling thread and the compiled graph's
 * workers), from HotSpot's per-thread allocation counters. Unlike a timing, this figure does not depend on what
 * else the machine is doing.
 */
final class Allocation {
    private Allocation() {}

    /**
     * Bytes allocated per call of {@code task}, less what measuring itself allocates: the least over three windows
     * of {@code calls} calls each. A step that allocates does so in every window; what the JIT still does in the
     * first window (a compiler thread's allocations, objects re-materialized by a deoptimization) does not recur,
     * and a single window showed it as 1–19 B per VGG step.
     */
    static double bytesPerCall(Runnable task, int calls) {
        long first = allocatedSoFar();
        long overhead = allocatedSoFar() - first; // what one reading of the counters allocates
        long least = Long.MAX_VALUE;
        for (int window = 0; window < 3; window++) {
            long before = allocatedSoFar();
            for (int i = 0; i < calls; i++) {
                task.run();
            }
            least = Math.min(least, allocatedSoFar() - before - overhead);
        }
        return Math.max(0, least) / (double) calls;
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
