package dev.convj.spark;

import java.util.Random;

/**
 * Which images a partition trains on in each local step of an epoch: its shard in a seeded order that depends only
 * on (seed, epoch, partition), cut into batches of {@code localBatch} (the last may be smaller). Every attempt of a
 * task, on any executor, computes the same plan: a retried task repeats its work exactly.
 */
public final class EpochPlan {
    private final int[] order;
    private final int localBatch;

    private EpochPlan(int[] order, int localBatch) {
        this.order = order;
        this.localBatch = localBatch;
    }

    /** The plan of partition {@code partition} (holding {@code shardSize} images) in {@code epoch} (from 1). */
    public static EpochPlan of(int shardSize, int localBatch, long seed, int epoch, int partition) {
        if (localBatch < 1) {
            throw new IllegalArgumentException("the local batch must be ≥ 1, got " + localBatch);
        }
        int[] order = new int[shardSize];
        for (int i = 0; i < shardSize; i++) {
            order[i] = i;
        }
        Random random = new Random(mix(seed, epoch, partition));
        for (int i = shardSize - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return new EpochPlan(order, localBatch);
    }

    /** One seed per (seed, epoch, partition); the odd multipliers keep nearby triples apart. */
    static long mix(long seed, long a, long b) {
        long h = seed * 0x9E3779B97F4A7C15L + a * 0xC2B2AE3D27D4EB4FL + b * 0x165667B19E3779F9L;
        h ^= h >>> 31;
        h *= 0xBF58476D1CE4E5B9L;
        return h ^ (h >>> 29);
    }

    /** Local steps this partition takes in the epoch. */
    public int steps() {
        return (order.length + localBatch - 1) / localBatch;
    }

    /** Images in step {@code s} (from 0). */
    public int sizeOf(int s) {
        return Math.min(localBatch, order.length - s * localBatch);
    }

    /** The shard index of the {@code k}-th image of step {@code s}. */
    public int index(int s, int k) {
        return order[s * localBatch + k];
    }
}
