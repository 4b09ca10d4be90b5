package dev.convj.runtime.data;

import java.util.Random;

/**
 * The order in which an epoch visits a dataset, cut into batches: {@code size / batch} full batches and, when
 * the size is not a multiple, one last partial batch (trained, not dropped).
 */
public final class Batches {
    private final int[] order;
    private final int batch;

    private Batches(int[] order, int batch) {
        this.order = order;
        this.batch = batch;
    }

    /** A seeded Fisher-Yates shuffle of 0..size-1: the same seed gives the same order. */
    public static Batches shuffled(int size, int batch, long seed) {
        int[] order = sequential(size);
        Random random = new Random(seed);
        for (int i = size - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return new Batches(order, check(batch));
    }

    /** The dataset in its own order (evaluation). */
    public static Batches inOrder(int size, int batch) {
        return new Batches(sequential(size), check(batch));
    }

    private static int check(int batch) {
        if (batch < 1) {
            throw new IllegalArgumentException("the batch size must be ≥ 1, got " + batch);
        }
        return batch;
    }

    private static int[] sequential(int n) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) {
            a[i] = i;
        }
        return a;
    }

    public int count() {
        return (order.length + batch - 1) / batch;
    }

    /** Images in batch {@code b}: the batch size, or fewer for the last one. */
    public int sizeOf(int b) {
        return Math.min(batch, order.length - b * batch);
    }

    /** The dataset index of the {@code k}-th image of batch {@code b}. */
    public int index(int b, int k) {
        return order[b * batch + k];
    }

    /** The whole visiting order. */
    public int[] order() {
        return order.clone();
    }
}
