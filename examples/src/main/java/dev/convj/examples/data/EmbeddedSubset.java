package dev.convj.examples.data;

import dev.convj.runtime.data.Dataset;
import dev.convj.runtime.data.FashionMnist;
import dev.convj.runtime.data.IdxWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Makes the Fashion-MNIST subset shipped in the jar: {@value #TRAIN_PER_CLASS} training and
 * {@value #TEST_PER_CLASS} test images of each class, chosen at random with seed {@value #SEED} and kept in
 * their original order. Re-run it to rebuild the resources byte for byte:
 * <pre>java -cp examples/target/convj.jar dev.convj.examples.data.EmbeddedSubset /usr/share/datasets/fashion-mnist \
 *     examples/src/main/resources/dev/convj/examples/data/fashion-mnist-subset</pre>
 */
public final class EmbeddedSubset {
    private EmbeddedSubset() {}

    public static final int TRAIN_PER_CLASS = 500;
    public static final int TEST_PER_CLASS = 100;
    public static final long SEED = 20240611L;

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: EmbeddedSubset FASHION_MNIST_DIR OUTPUT_DIR");
            System.exit(2);
        }
        FashionMnist.Split full = FashionMnist.load(Path.of(args[0]));
        Path out = Path.of(args[1]);
        Files.createDirectories(out);
        Dataset train = full.train().balancedSubset(TRAIN_PER_CLASS, SEED);
        Dataset test = full.test().balancedSubset(TEST_PER_CLASS, SEED + 1);
        IdxWriter.write(train, out.resolve(FashionMnist.TRAIN_IMAGES + ".gz"), out.resolve(FashionMnist.TRAIN_LABELS + ".gz"));
        IdxWriter.write(test, out.resolve(FashionMnist.TEST_IMAGES + ".gz"), out.resolve(FashionMnist.TEST_LABELS + ".gz"));
        System.out.println("wrote " + train + " and " + test + " to " + out);
    }
}
