package dev.convj.examples.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.convj.codegen.kernels.KernelChoice;
import dev.convj.examples.Models;
import dev.convj.graph.Graph;
import dev.convj.runtime.compile.CompiledGraph;
import dev.convj.runtime.compile.GraphCompiler;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A warm LeNet-5 training step allocates nothing, on the calling thread or the graph's workers, with the kernel this
 * host selects: a JIT that boxes the micro-kernel's vectors (as JDK 17 does when one JVM runs two vector widths)
 * allocates megabytes per step. The test runner's own threads are not counted: they allocate as they please.
 */
class WarmStepAllocationTest {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    @ParameterizedTest(name = "{0} thread(s)")
    @ValueSource(ints = {1, 2})
    void aWarmLenetTrainingStepAllocatesNothing(int threads) {
        Graph step = Bench.trainingStep(Models.lenet5(), 32);
        Set<Long> earlier = workers();
        try (CompiledGraph c = new GraphCompiler(null).compile(step, threads)) {
            Bench.feed(c, step, 1);
            long[] ids = null;
            long least = Long.MAX_VALUE;
            // windows until one is clean: the JIT's late work (a deoptimization re-materializing objects) does not
            // recur, an allocating kernel allocates in every window
            for (int window = 0; window < 40 && least > 0 && (window < 3 || least < 1 << 20); window++) {
                for (int i = 0; i < 50; i++) {
                    c.run();
                }
                ids = stepThreads(earlier);
                long first = allocated(ids);
                long reading = allocated(ids) - first; // the counters' own result array
                long before = allocated(ids);
                for (int i = 0; i < 50; i++) {
                    c.run();
                }
                least = Math.min(least, allocated(ids) - before - reading);
            }
            assertEquals(threads, ids.length, "the calling thread and its workers: " + Arrays.toString(ids));
            assertEquals(0, least, "bytes allocated in 50 warm steps with " + KernelChoice.describe());
        }
    }

    /** The calling thread and the graph's workers: those started since {@code earlier} (other tests' may live on). */
    private static long[] stepThreads(Set<Long> earlier) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t == Thread.currentThread()
                        || t.getName().startsWith("convj-worker-") && !earlier.contains(t.getId()))
                .mapToLong(Thread::getId).toArray();
    }

    private static Set<Long> workers() {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith("convj-worker-"))
                .map(Thread::getId).collect(Collectors.toSet());
    }

    private static long allocated(long[] ids) {
        long sum = 0;
        for (long bytes : THREADS.getThreadAllocatedBytes(ids)) {
            sum += bytes;
        }
        return sum;
    }
}
