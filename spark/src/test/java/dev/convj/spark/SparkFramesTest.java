package dev.convj.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A DataFrame of (image, label) rows becomes the same shards as the equivalent RDD of labelled images. */
class SparkFramesTest {
    private static SparkSession spark;

    @BeforeAll
    static void start() {
        spark = SparkSession.builder().master("local[2]").appName("SparkFramesTest")
                .config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1").getOrCreate();
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    private static final StructType DOUBLES = new StructType()
            .add("pixels", DataTypes.createArrayType(DataTypes.DoubleType)).add("label", DataTypes.LongType);

    private static List<Row> rows(int n) {
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            rows.add(RowFactory.create(List.of(i / 10.0, -i / 10.0, 0.5, 1.0 * i), (long) (i % 3)));
        }
        return rows;
    }

    @Test
    void aFrameGivesTheShardsItsRowsWouldGiveAsLabelledImages() {
        Dataset<Row> frame = spark.createDataFrame(rows(12), DOUBLES).repartition(3);
        List<Shard> fromFrame = sorted(SparkFrames.shards(frame, "pixels", "label", 2, 5).collect());
        List<LabelledImage> images = new ArrayList<>();
        for (Row r : frame.collectAsList()) {
            List<Object> p = r.getList(0);
            float[] pixels = new float[p.size()];
            for (int i = 0; i < pixels.length; i++) {
                pixels[i] = ((Double) p.get(i)).floatValue();
            }
            images.add(new LabelledImage(pixels, (int) r.getLong(1)));
        }
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        List<Shard> fromImages = sorted(SparkData.shards(sc.parallelize(images, 3), 2, 5).collect());
        assertEquals(2, fromFrame.size());
        int total = 0;
        for (int s = 0; s < 2; s++) {
            assertEquals(4, fromFrame.get(s).imageSize());
            assertArrayEquals(fromImages.get(s).images(), fromFrame.get(s).images());
            assertArrayEquals(fromImages.get(s).labels(), fromFrame.get(s).labels());
            total += fromFrame.get(s).labels().length;
        }
        assertEquals(12, total);
    }

    @Test
    void columnsOfTheWrongTypeOrNameAreNamed() {
        Dataset<Row> frame = spark.createDataFrame(rows(3), DOUBLES);
        assertEquals("the DataFrame has no column image; its columns: pixels, label", assertThrows(
                IllegalArgumentException.class, () -> SparkFrames.images(frame, "image", "label")).getMessage());
        assertEquals("column label is bigint; the image column must be array<float> or array<double> (scaled pixels"
                + " in C×H×W order)", assertThrows(IllegalArgumentException.class,
                () -> SparkFrames.images(frame, "label", "label")).getMessage());
        assertEquals("column pixels is array<double>; the label column must hold integer classes (int, long, short or"
                + " byte)", assertThrows(IllegalArgumentException.class,
                () -> SparkFrames.images(frame, "pixels", "pixels")).getMessage());
    }

    private static List<Shard> sorted(List<Shard> shards) {
        List<Shard> s = new ArrayList<>(shards);
        s.sort(Comparator.comparingInt(Shard::partition));
        return s;
    }
}
