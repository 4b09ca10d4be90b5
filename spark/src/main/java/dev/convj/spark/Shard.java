package dev.convj.spark;

import java.io.Serializable;

/**
 * One partition's share of the training set, held as one RDD element so that a partition's images stay together
 * in one float array (cached once, never rebuilt per image): {@code images} is [size, imageSize] row-major.
 */
public record Shard(int partition, float[] images, int[] labels, int imageSize) implements Serializable {

    public Shard {
        if (imageSize < 1 || (long) labels.length * imageSize != images.length) {
            throw new IllegalArgumentException("shard " + partition + ": " + labels.length + " labels need "
                    + (long) labels.length * imageSize + " pixel values (" + imageSize + " per image), got "
                    + images.length);
        }
    }

    public int size() {
        return labels.length;
    }

    /** Copies image {@code i} into {@code dst} at {@code offset}. */
    void copyImage(int i, float[] dst, int offset) {
        System.arraycopy(images, i * imageSize, dst, offset, imageSize);
    }
}
