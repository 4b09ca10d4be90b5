package dev.convj.examples.lessons;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LessonsTest {

    @TempDir
    Path dir;

    @Test
    void edgeDetectionTableHasTheLecturesNumbers() {
        Lesson03EdgeDetection.Costs c = Lesson03EdgeDetection.Costs.of(320, 280);
        assertEquals(2, c.convFloats());
        assertEquals(267_960, c.convOps());
        assertEquals(8_003_072_000L, c.denseFloats());     // "over eight billion"
        assertEquals(16_006_144_000L, c.denseOps());       // "over sixteen billion"
        assertEquals(178_640, c.sparseFloats());
        assertEquals(267_960, c.sparseOps());
    }

    @Test
    void denseMatrixComputesTheSameEdges() {
        float[] img = Lesson03EdgeDetection.picture(12, 7);
        assertArrayEquals(Lesson03EdgeDetection.convolve(img, 12, 7),
                Lesson03EdgeDetection.multiply(Lesson03EdgeDetection.denseMatrix(12, 7), img));
    }

    @Test
    void autoencoderReconstructsBetterThanTheMeanImageAndDrawsThePicture() throws Exception {
        Lesson06Autoencoder.Config c = new Lesson06Autoencoder.Config(1, 600, 200, 20, 3e-3, 4, 2, 1,
                null, dir, dev.convj.runtime.train.ExecutableFactory.compiled(1));
        java.io.ByteArrayOutputStream text = new java.io.ByteArrayOutputStream();
        Lesson06Autoencoder.Result r = Lesson06Autoencoder.run(c, new java.io.PrintStream(text, true, "UTF-8"));
        java.awt.image.BufferedImage png = javax.imageio.ImageIO.read(r.picture().toFile());
        assertEquals(4 * 28 * 2, png.getWidth(), "four images side by side, each pixel 2×2");
        assertEquals(2 * 28 * 2, png.getHeight(), "originals over reconstructions");
        assertTrue(r.testMse() < r.meanImageMse(), r.testMse() + " vs the mean image's " + r.meanImageMse());
        assertTrue(text.toString("UTF-8").contains("test MSE"), text.toString("UTF-8"));
    }

    @Test
    void gradientCheckLessonPassesAndDraws() throws Exception {
        Path svg = dir.resolve("g.svg");
        Lesson05GradientCheck.main(new String[] {svg.toString()});
        boolean graphviz = dev.convj.runtime.viz.DiagramRenderer.dotProgram().isPresent();
        assertTrue(Files.readString(graphviz ? svg : dir.resolve("g.dot")).contains("conv1.weight.grad"));
    }
}
