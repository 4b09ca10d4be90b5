package dev.convj.examples.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;

/**
 * Heap bytes allocated per call, summed over every live thread (the calling thread and the compiled graph's
 * workers), from HotSpot's per-thread allocation counters. Unlike a timing, this figure does not depend on what
 * else the machine is doing.
 */
final class Allocation {
    private Allocation() {}

    /** Bytes per call, and which threads allocated them (empty when none did). */
    record PerCall(double bytes, String byThread) {}

    /**
     * Bytes allocated per call of {@code task}, less what measuring itself allocates: the least over three windows
     * of {@code calls} calls each. A step that allocates does so in every window; what the JIT still does in the
     * first window (a compiler thread's allocations, objects re-materialized by a deoptimization) does not recur,
     * and a single window showed it as 1–19 B per VGG step. Counters are compared thread by thread, so that a thread
     * ending meanwhile (its counter gone from the sum) cannot make another's figure look larger or smaller.
     */
    static PerCall bytesPerCall(Runnable task, int calls) {
        long self = Thread.currentThread().getId();
        Map<Long, Long> first = allocatedSoFar();
        long overhead = Math.max(0, allocatedSince(first, allocatedSoFar()).getOrDefault(self, 0L));
        Map<Long, Long> least = null;
        long leastTotal = Long.MAX_VALUE;
        for (int window = 0; window < 3; window++) {
            Map<Long, Long> before = allocatedSoFar();
            for (int i = 0; i < calls; i++) {
                task.run();
            }
            Map<Long, Long> bytes = allocatedSince(before, allocatedSoFar());
            bytes.merge(self, -overhead, Long::sum);
            long total = bytes.values().stream().mapToLong(b -> Math.max(0, b)).sum();
            if (total < leastTotal) {
                leastTotal = total;
                least = bytes;
            }
        }
        return new PerCall(leastTotal / (double) calls, byThread(least, calls));
    }

    /** Each live thread's counter. */
    private static Map<Long, Long> allocatedSoFar() {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long[] ids = mx.getAllThreadIds();
        long[] bytes = mx.getThreadAllocatedBytes(ids);
        Map<Long, Long> byId = new HashMap<>();
        for (int i = 0; i < ids.length; i++) {
            if (bytes[i] >= 0) {
                byId.put(ids[i], bytes[i]);
            }
        }
        return byId;
    }

    /** Per thread alive at the end: what it allocated since {@code before} (all of it when it started since). */
    private static Map<Long, Long> allocatedSince(Map<Long, Long> before, Map<Long, Long> after) {
        Map<Long, Long> delta = new HashMap<>();
        after.forEach((id, bytes) -> delta.put(id, bytes - before.getOrDefault(id, 0L)));
        return delta;
    }

    private static String byThread(Map<Long, Long> bytes, int calls) {
        StringJoiner names = new StringJoiner(", ");
        bytes.forEach((id, b) -> {
            if (b > 0) {
                ThreadInfo info = ManagementFactory.getThreadMXBean().getThreadInfo(id);
                names.add(String.format(Locale.ROOT, "%s %.0f B", info == null ? "thread " + id : info.getThreadName(),
                        b / (double) calls));
            }
        });
        return names.toString();
    }
}
