package dev.convj.spark;

import java.io.Serializable;

/** One training example as user code hands it to {@link SparkData#shards(org.apache.spark.api.java.JavaRDD, int, long)}: pixels (already scaled) and a class. */
public record LabelledImage(float[] pixels, int label) implements Serializable {}
