package dev.convj.spark;

import dev.convj.runtime.data.Dataset;
import dev.convj.runtime.data.FashionMnist;
import dev.convj.runtime.data.IdxArray;
import dev.convj.runtime.data.IdxReader;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.storage.StorageLevel;

/**
 * Training data for Spark: Fashion-MNIST's IDX files from any path Hadoop's file systems read (a local directory,
 * {@code file:}, {@code hdfs://}, {@code s3a://} with its connector on the class path), or an RDD of
 * {@link LabelledImage}s built by user code; either becomes an RDD of one {@link Shard} per partition, cached.
 */
public final class SparkData {
    private SparkData() {}

    /** Reads the four Fashion-MNIST files (raw or .gz) under {@code dir} through Hadoop's file system for its scheme. */
    public static FashionMnist.Split fashionMnist(String dir, Configuration hadoop) throws IOException {
        return new FashionMnist.Split(read(dir, hadoop, FashionMnist.TRAIN_IMAGES, FashionMnist.TRAIN_LABELS,
                "Fashion-MNIST train"), read(dir, hadoop, FashionMnist.TEST_IMAGES, FashionMnist.TEST_LABELS,
                "Fashion-MNIST test"));
    }

    private static Dataset read(String dir, Configuration hadoop, String images, String labels, String name)
            throws IOException {
        return Dataset.fromIdx(name, readIdx(dir, hadoop, images, 3), readIdx(dir, hadoop, labels, 1),
                FashionMnist.CLASSES.size());
    }

    private static IdxArray readIdx(String dir, Configuration hadoop, String base, int rank) throws IOException {
        Path folder = new Path(dir);
        FileSystem fs = FileSystem.get(URI.create(dir), hadoop);
        if (!fs.exists(folder)) {
            throw new FileNotFoundException("--data " + dir + ": no such directory (" + fs.getUri() + ")");
        }
        for (String name : List.of(base + ".gz", base)) {
            Path file = new Path(folder, name);
            if (fs.isFile(file)) {
                try (InputStream in = fs.open(file)) {
                    return IdxReader.read(in, file.toString(), rank);
                }
            }
        }
        throw new FileNotFoundException("--data " + dir + ": Fashion-MNIST file missing (looked for " + base + " and "
                + base + ".gz); expected the four files " + FashionMnist.TRAIN_IMAGES + ", " + FashionMnist.TRAIN_LABELS
                + ", " + FashionMnist.TEST_IMAGES + ", " + FashionMnist.TEST_LABELS + " (each raw or .gz)");
    }

    /**
     * Deals {@code data}'s images into {@code partitions} shards in a seeded random order (so every shard holds
     * every class in about the same proportion), one shard per partition, cached in memory. Each shard travels as a
     * broadcast variable, fetched once by the executor that builds its partition: a parallelized collection would
     * instead ship the shard inside every task of every round (Spark serializes a partition's data with its task,
     * even when the partition is cached). A partition lost with its executor is rebuilt from its broadcast.
     */
    public static JavaRDD<Shard> shards(JavaSparkContext sc, Dataset data, int partitions, long seed) {
        if (partitions < 1 || partitions > data.size()) {
            throw new IllegalArgumentException("cannot cut " + data.size() + " images into " + partitions
                    + " partitions: use 1 to " + data.size());
        }
        int[] order = shuffled(data.size(), seed);
        int per = data.imageSize();
        List<Broadcast<Shard>> shards = new ArrayList<>(partitions);
        for (int p = 0; p < partitions; p++) {
            int n = (data.size() - p + partitions - 1) / partitions;
            float[] images = new float[n * per];
            int[] labels = new int[n];
            for (int k = 0; k < n; k++) {
                int i = order[p + k * partitions];
                data.copyImage(i, images, k * per);
                labels[k] = data.label(i);
            }
            shards.add(sc.broadcast(new Shard(p, images, labels, per)));
        }
        List<Integer> indices = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            indices.add(p);
        }
        return sc.parallelize(indices, partitions).map(p -> shards.get(p).value())
                .persist(StorageLevel.MEMORY_ONLY());
    }

    /**
     * Gathers each partition of {@code images} (e.g. rows of a DataFrame mapped to {@link LabelledImage}s) into one
     * shard, after spreading them over {@code partitions} partitions; cached in memory. Every image must have the
     * same number of pixels. The spread depends only on the RDD's order, so a recomputed partition is the same.
     */
    public static JavaRDD<Shard> shards(JavaRDD<LabelledImage> images, int partitions, long seed) {
        JavaRDD<LabelledImage> spread = images.getNumPartitions() == partitions ? images
                : images.repartition(partitions);
        return spread.mapPartitionsWithIndex((p, it) -> List.of(gather(p, it, seed)).iterator(), true)
                .persist(StorageLevel.MEMORY_ONLY());
    }

    private static Shard gather(int partition, Iterator<LabelledImage> it, long seed) {
        List<LabelledImage> rows = new ArrayList<>();
        it.forEachRemaining(rows::add);
        if (rows.isEmpty()) {
            throw new IllegalArgumentException("partition " + partition + " holds no image: use fewer partitions than "
                    + "images");
        }
        int per = rows.get(0).pixels().length;
        int[] order = shuffled(rows.size(), EpochPlan.mix(seed, -1, partition));
        float[] pixels = new float[rows.size() * per];
        int[] labels = new int[rows.size()];
        for (int k = 0; k < order.length; k++) {
            LabelledImage row = rows.get(order[k]);
            if (row.pixels().length != per) {
                throw new IllegalArgumentException("partition " + partition + ": an image has " + row.pixels().length
                        + " pixels where the first has " + per + "; every image must have the model's input size");
            }
            System.arraycopy(row.pixels(), 0, pixels, k * per, per);
            labels[k] = row.label();
        }
        return new Shard(partition, pixels, labels, per);
    }

    private static int[] shuffled(int n, long seed) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Random random = new Random(seed);
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }
}
