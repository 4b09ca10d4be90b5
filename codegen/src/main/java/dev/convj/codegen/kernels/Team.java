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
        for (int spins = 0; pending.get() > 0; spins++) {
            if (spins < 20_000) {
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
            for (int spins = 0; generation.get() == seen && !closed; spins++) {
                if (spins < 20_000) {
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
