package dev.convj.spark;

import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Training data from a DataFrame of (image, label) rows: the image an array of floats or doubles (pixels already
 * scaled, in the model's C×H×W order), the label an integer class. Kept apart from {@link SparkData} so that only
 * code which hands over a DataFrame loads Spark SQL (a cluster has it; {@code convj-spark train} does not need it).
 */
public final class SparkFrames {
    private SparkFrames() {}

    /** The frame's rows as one cached shard per partition, as {@link SparkData#shards(JavaRDD, int, long)}. */
    public static JavaRDD<Shard> shards(Dataset<Row> frame, String imageColumn, String labelColumn, int partitions,
                                        long seed) {
        return SparkData.shards(images(frame, imageColumn, labelColumn), partitions, seed);
    }

    /** The rows as {@link LabelledImage}s; the columns' types are checked here, on the driver, by name. */
    public static JavaRDD<LabelledImage> images(Dataset<Row> frame, String imageColumn, String labelColumn) {
        StructType schema = frame.schema();
        DataType image = type(schema, imageColumn), label = type(schema, labelColumn);
        if (!(image instanceof ArrayType a) || !(a.elementType().equals(DataTypes.FloatType)
                || a.elementType().equals(DataTypes.DoubleType))) {
            throw new IllegalArgumentException("column " + imageColumn + " is " + image.simpleString()
                    + "; the image column must be array<float> or array<double> (scaled pixels in C×H×W order)");
        }
        if (!(label.equals(DataTypes.IntegerType) || label.equals(DataTypes.LongType)
                || label.equals(DataTypes.ShortType) || label.equals(DataTypes.ByteType))) {
            throw new IllegalArgumentException("column " + labelColumn + " is " + label.simpleString()
                    + "; the label column must hold integer classes (int, long, short or byte)");
        }
        return frame.select(imageColumn, labelColumn).javaRDD().map(SparkFrames::labelled);
    }

    private static DataType type(StructType schema, String column) {
        for (StructField f : schema.fields()) {
            if (f.name().equals(column)) {
                return f.dataType();
            }
        }
        throw new IllegalArgumentException("the DataFrame has no column " + column + "; its columns: "
                + String.join(", ", schema.fieldNames()));
    }

    private static LabelledImage labelled(Row row) {
        if (row.isNullAt(0) || row.isNullAt(1)) {
            throw new IllegalArgumentException("a row has a null image or label: drop or fill them first");
        }
        List<Object> values = row.getList(0);
        float[] pixels = new float[values.size()];
        for (int i = 0; i < pixels.length; i++) {
            Object v = values.get(i);
            if (v == null) {
                throw new IllegalArgumentException("an image holds a null pixel at index " + i);
            }
            pixels[i] = ((Number) v).floatValue();
        }
        return new LabelledImage(pixels, ((Number) row.get(1)).intValue());
    }
}
