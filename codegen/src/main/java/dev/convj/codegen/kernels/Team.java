package dev.convj.codegen.kernels;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A fixed team of threads that splits loops over [0, count) into one contiguous chunk per thread; the calling
 * thread works on chunk 0. Nothing is allocated per call, and the chunking depends only on the team size, so
 * the same inputs and team size give bitwise identical results.
 */
public final class Team implements AutoCloseable {

    /** A loop body over items [from, to), run by thread {@code worker} of the team. */
    @FunctionalInterface
    public interface Task {
        void run(int from, int to, int worker);
    }

    /**
     * How long a waiting thread spins before it parks: a worker between two loops, the caller until the workers are
     * done. Waking a parked thread cost about 0.2–0.5 ms on a 2-core KVM guest (its idle vCPU halts), where a
     * training step of LeNet-5 runs 25 loops in 3 ms. With the former budget of 20,000 spins, 5,300 of 76,000 loops
     * of a 2-thread bench run (LeNet-5 and the small VGG) started more than 20 µs after the caller, 1.0–1.2 s late in
     * all; spinning up to 10 ms, 260 of 93,000 did (0.47 s). OpenMP runtimes spin for 200 ms by default; this spins
     * for 10 ms, {@code -Dconvj.spinMicros} to change.
     */
    static final long SPIN_NANOS = Long.getLong("convj.spinMicros", 10_000) * 1_000L;
    /** Spins between two reads of the clock, minus one (a mask). */
    private static final int CLOCK_EVERY = 255;

    private final int size;
    private final Thread[] workers;
    private final AtomicInteger generation = new AtomicInteger();
    private final AtomicInteger pending = new AtomicInteger();
    private volatile Task task;
    private volatile int count;
    private volatile boolean closed;
    private volatile Thread caller;
    private volatile Throwable failure;

    public Team(int size) {
        if (size < 1) {
            throw new IllegalArgumentException("a team needs at least one thread, got " + size);
        }
        this.size = size;
        this.workers = new Thread[size - 1];
        for (int w = 1; w < size; w++) {
            int index = w;
            Thread t = new Thread(() -> work(index), "convj-worker-" + w);
            t.setDaemon(true);
            workers[w - 1] = t;
            t.start();
        }
    }

    public int size() {
        return size;
    }

    /** The first item of chunk {@code worker} when [0, count) is split among {@code size} threads. */
    public static int chunkStart(int count, int size, int worker) {
        return (int) ((long) count * worker / size);
    }

    /** Runs {@code task} over [0, count) on every thread of the team and returns when all are done. */
    public void run(Task task, int count) {
        if (size == 1 || count < 2) {
            task.run(0, count, 0);
            return;
        }
        this.task = task;
        this.count = count;
        this.caller = Thread.currentThread();
        this.failure = null;
        pending.set(size - 1);
        generation.incrementAndGet();
        for (Thread w : workers) {
            LockSupport.unpark(w);
        }
        task.run(0, chunkStart(count, size, 1), 0);
        long deadline = 0;
        for (int spins = 0; pending.get() > 0; spins++) {
            if ((spins & CLOCK_EVERY) != 0) {
                Thread.onSpinWait();
            } else if (deadline == 0) {
                deadline = System.nanoTime() + SPIN_NANOS;
            } else if (System.nanoTime() - deadline < 0) {
                Thread.onSpinWait();
            } else {
                LockSupport.parkNanos(this, 50_000);
            }
        }
        if (failure != null) {
            throw new IllegalStateException("a worker thread failed: " + failure, failure);
        }
    }

    private void work(int index) {
        int seen = 0;
        while (true) {
            long deadline = 0;
            for (int spins = 0; generation.get() == seen && !closed; spins++) {
                if ((spins & CLOCK_EVERY) != 0) {
                    Thread.onSpinWait();
                } else if (deadline == 0) {
                    deadline = System.nanoTime() + SPIN_NANOS;
                } else if (System.nanoTime() - deadline < 0) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.park(this);
                }
            }
            if (closed) {
                return;
            }
            seen = generation.get();
            try {
                int n = count;
                task.run(chunkStart(n, size, index), chunkStart(n, size, index + 1), index);
            } catch (Throwable t) {
                failure = t;
            }
            if (pending.decrementAndGet() == 0) {
                LockSupport.unpark(caller);
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        for (Thread w : workers) {
            LockSupport.unpark(w);
        }
    }
}
