package dev.convj.examples.lessons;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every lesson's main runs as a user would start it (with a small data limit): the ones whose parts other tests
 * cover (3, 5, 6) as well as the training lessons 1, 2 and 4. Their data is the full Fashion-MNIST when installed,
 * else the embedded subset.
 */
class LessonMainsTest {

    private interface Main {
        void run() throws Exception;
    }

    private static String output(Main main) throws Exception {
        PrintStream original = System.out;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        try {
            main.run();
        } finally {
            System.setOut(original);
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void lesson1TrainsLenet5AndSavesItsModelAndCurves(@TempDir Path dir) throws Exception {
        String out = output(() -> Lesson01LeNet5.main(new String[] {"1", "256", dir.toString(), "500"}));
        assertTrue(out.contains("61,706"), out); // the summary's parameter count
        assertTrue(out.contains("accuracy"), out);
        assertTrue(Files.size(dir.resolve("lenet5.convj")) > 61_706 * 4, "the model file holds every weight");
        assertTrue(Files.exists(dir.resolve("loss.png")), "curves");
    }

    @Test
    void lesson2TrainsTheSmallVgg() throws Exception {
        String out = output(() -> Lesson02SmallVgg.main(new String[] {"1", "128", "200"}));
        assertTrue(out.contains("conv4") && out.contains("accuracy"), out);
    }

    @Test
    void lesson4ComparesTheCnnAndTheDenseNetworkOnPermutedPixels() throws Exception {
        String out = output(() -> Lesson04StrongPrior.main(new String[] {"1", "300"}));
        assertTrue(out.contains("pixels permuted") && out.contains("CNN (2 conv layers)")
                && out.contains("dense (784-100-10)"), out);
    }

    @Test
    void lessons3And5RunTheirWholeProgram(@TempDir Path dir) throws Exception {
        assertTrue(output(() -> Lesson03EdgeDetection.main(new String[] {dir.toString()})).contains("measured on"));
        String gradcheck = output(() -> Lesson05GradientCheck.main(new String[0]));
        assertTrue(gradcheck.toLowerCase(java.util.Locale.ROOT).contains("pass"), gradcheck);
    }
}
