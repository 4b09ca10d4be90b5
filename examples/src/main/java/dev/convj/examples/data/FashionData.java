package dev.convj.examples.data;

import dev.convj.runtime.data.Dataset;
import dev.convj.runtime.data.FashionMnist;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Finds Fashion-MNIST for the examples: a directory the user names, else the Debian package's
 * {@link FashionMnist#SYSTEM_DIR}, else the small subset embedded in the jar (said so on the console).
 */
public final class FashionData {
    private FashionData() {}

    /** The class-path folder of the embedded subset, beside this class. */
    public static final String EMBEDDED = "fashion-mnist-subset";

    /** The embedded subset: 5,000 training and 1,000 test images, 500 and 100 per class. */
    public static FashionMnist.Split embedded() throws IOException {
        return FashionMnist.loadResources(FashionData.class, EMBEDDED, "Fashion-MNIST subset");
    }

    /**
     * The data in {@code dir} when given (it must hold the four files), else the full set when installed, else the
     * embedded subset; one line on {@code console} says which.
     */
    public static FashionMnist.Split locate(Path dir, PrintStream console) throws IOException {
        if (dir != null) {
            checkDirectory(dir, FashionMnist.isPresent(dir), FashionMnist.TRAIN_IMAGES + "(.gz), "
                    + FashionMnist.TRAIN_LABELS + "(.gz), " + FashionMnist.TEST_IMAGES + "(.gz) and "
                    + FashionMnist.TEST_LABELS + "(.gz)");
            console.println("data: Fashion-MNIST from " + dir);
            return FashionMnist.load(dir);
        }
        if (FashionMnist.isPresent(FashionMnist.SYSTEM_DIR)) {
            console.println("data: Fashion-MNIST from " + FashionMnist.SYSTEM_DIR + " (60,000 training, 10,000 test images)");
            return FashionMnist.load(FashionMnist.SYSTEM_DIR);
        }
        FashionMnist.Split split = embedded();
        console.println(notFound()
                + String.format("%,d training and %,d test images", split.train().size(), split.test().size()));
        return split;
    }

    /**
     * As {@link #locate}, but only the test set: evaluation and prediction need neither the training files nor the
     * time to read them.
     */
    public static Dataset locateTest(Path dir, PrintStream console) throws IOException {
        if (dir != null) {
            checkDirectory(dir, FashionMnist.isTestPresent(dir), FashionMnist.TEST_IMAGES + "(.gz) and "
                    + FashionMnist.TEST_LABELS + "(.gz)");
            console.println("data: Fashion-MNIST from " + dir);
            return FashionMnist.loadTest(dir);
        }
        if (FashionMnist.isTestPresent(FashionMnist.SYSTEM_DIR)) {
            console.println("data: Fashion-MNIST from " + FashionMnist.SYSTEM_DIR + " (10,000 test images)");
            return FashionMnist.loadTest(FashionMnist.SYSTEM_DIR);
        }
        Dataset test = embedded().test();
        console.println(notFound() + String.format("%,d test images", test.size()));
        return test;
    }

    /** --data must be a directory holding {@code files} ({@code present} says whether it does). */
    private static void checkDirectory(Path dir, boolean present, String files) {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("--data " + dir + ": no such directory");
        }
        if (!present) {
            throw new IllegalArgumentException("--data " + dir + ": expected " + files + " there");
        }
    }

    private static String notFound() {
        return "data: Fashion-MNIST not found in " + FashionMnist.SYSTEM_DIR
                + " (apt-get install dataset-fashion-mnist, or --data DIR); using the subset embedded in ConvJ: ";
    }
}
