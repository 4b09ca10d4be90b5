package dev.convj.dsl;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.convj.graph.autodiff.Autodiff;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Golden text dumps of LeNet-5's forward graph and of its gradient graph at batch 2. Update on purpose only:
 * run with {@code -Dconvj.updateGolden=true} and review the diff.
 */
class GoldenDumpTest {

    @Test
    void lenet5ForwardGraph() throws IOException {
        assertGolden("lenet5-forward.txt", LeNet.lenet5().graph(2).graph().toText());
    }

    @Test
    void lenet5GradientGraph() throws IOException {
        var ng = LeNet.lenet5().graph(2);
        assertGolden("lenet5-gradient.txt", Autodiff.gradients(ng.graph(), ng.lossName()).graph().toText());
    }

    @Test
    void structuralHashIsStableAcrossBuildsAndFollowsTheDump() {
        // A literal: the hash keys the compile cache on disk, so another build must compute the same one (a change
        // here means every cached class is recompiled; update it on purpose only)
        String a = LeNet.lenet5().graph(2).graph().structuralHash();
        assertEquals("3194f3b82d0f1cc8", a);
        assertEquals(false, a.equals(LeNet.lenet5().graph(3).graph().structuralHash()));
    }

    private static void assertGolden(String file, String actual) throws IOException {
        if (Boolean.getBoolean("convj.updateGolden")) {
            Path p = Path.of("src/test/resources/golden", file);
            Files.writeString(p, actual, StandardCharsets.UTF_8);
            return;
        }
        try (InputStream in = GoldenDumpTest.class.getResourceAsStream("/golden/" + file)) {
            String expected = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(expected, actual, "golden " + file + " differs; if the change is intended, rerun with "
                    + "-Dconvj.updateGolden=true and review the diff");
        }
    }
}
