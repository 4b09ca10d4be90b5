package dev.convj.codegen.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class KernelChoiceTest {

    private static KernelChoice.Trial compiled(int bits, double gflops) {
        return new KernelChoice.Trial(bits, true, gflops, gflops, gflops, gflops, 900);
    }

    private static KernelChoice.Trial boxed(int bits) {
        return new KernelChoice.Trial(bits, false, 0, 0, 0, 0, 3000);
    }

    @Test
    void theOverrideIsAWidthOrAClearError() {
        assertEquals(512, KernelChoice.forcedBits("512", null));
        assertEquals(256, KernelChoice.forcedBits(" 256 ", "true"));
        assertEquals(128, KernelChoice.forcedBits("128", null));
        assertEquals(0, KernelChoice.forcedBits("0", null));
        assertEquals(0, KernelChoice.forcedBits(null, "false"), "-Dconvj.vector=false is the plain kernel");
        assertNull(KernelChoice.forcedBits(null, null));
        assertNull(KernelChoice.forcedBits("", null));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> KernelChoice.forcedBits("1024", null));
        assertEquals("-Dconvj.vectorBits=1024 is not a kernel width: use 512, 256, 128 or 0 (plain Java)",
                e.getMessage());
    }

    @Test
    void candidatesRunWidestFirstFromWhatTheJvmOffersOrWasAskedFor() {
        assertEquals(List.of(512, 256), KernelChoice.candidates(512, null));
        assertEquals(List.of(256), KernelChoice.candidates(256, null));
        assertEquals(List.of(128), KernelChoice.candidates(128, null));
        assertEquals(List.of(512, 256, 128), KernelChoice.candidates(256, 512), "a forced width is tried as asked");
        assertEquals(List.of(256, 128), KernelChoice.candidates(512, 256));
        assertEquals(List.of(128), KernelChoice.candidates(512, 128));
    }

    @Test
    void twoPanelsRunWhereTheTrialOfTheWidthInUseTimedThemFaster() {
        KernelChoice.Trial wide = new KernelChoice.Trial(512, true, 97, 112, 90, 50, 900);
        KernelChoice.Trial spills = new KernelChoice.Trial(256, true, 80, 41, 70, 40, 900);
        assertTrue(KernelChoice.twoPanelsFaster(decision(512, wide, spills)));
        assertEquals(false, KernelChoice.twoPanelsFaster(decision(256, wide, spills)), "16 registers: spills");
        assertEquals(false, KernelChoice.twoPanelsFaster(decision(512, new KernelChoice.Trial(512, true, 97, 97,
                90, 50, 900))), "a tie keeps the single tile");
        assertEquals(false, KernelChoice.twoPanelsFaster(decision(0, boxed(512))), "plain Java");
    }

    @Test
    void theNarrowTileIsPricedAtTheRatioTheTrialOfTheWidthInUseTimed() {
        KernelChoice.Trial wide = new KernelChoice.Trial(512, true, 190, 200, 180, 100, 900);
        KernelChoice.Trial avx2 = new KernelChoice.Trial(256, true, 95, 80, 90, 75, 900);
        assertEquals(1.8, KernelChoice.narrowTileCost(decision(512, wide, avx2), 1.7), 1e-9);
        assertEquals(1.2, KernelChoice.narrowTileCost(decision(256, wide, avx2), 1.7), 1e-9);
        assertEquals(1.7, KernelChoice.narrowTileCost(decision(0, wide, avx2), 1.7), "plain Java: not timed");
        assertEquals(1.7, KernelChoice.narrowTileCost(decision(512, new KernelChoice.Trial(512, true, 190, 0, 0, 0,
                900)), 1.7), "a cached trial from before the gathered tiles were timed");
        // a noisy window cannot price the narrow tile below the wide one or beyond four times it
        assertEquals(1.0, KernelChoice.narrowTileCost(decision(512, new KernelChoice.Trial(512, true, 190, 0, 80, 100,
                900)), 1.7), 1e-9);
        assertEquals(4.0, KernelChoice.narrowTileCost(decision(512, new KernelChoice.Trial(512, true, 190, 0, 180, 9,
                900)), 1.7), 1e-9);
    }

    private static KernelChoice.Decision decision(int bits, KernelChoice.Trial... trials) {
        return new KernelChoice.Decision(bits, List.of(trials), 1, false, java.util.Optional.empty());
    }

    @Test
    void theFastestWidthThatCompiledWinsAndAWiderOneWinsTies() {
        assertEquals(512, KernelChoice.choose(List.of(compiled(512, 95), compiled(256, 80))));
        assertEquals(256, KernelChoice.choose(List.of(compiled(512, 60), compiled(256, 80))), "measured, not assumed");
        assertEquals(512, KernelChoice.choose(List.of(compiled(512, 66), compiled(256, 80))), "within timing noise");
        assertEquals(256, KernelChoice.choose(List.of(boxed(512), compiled(256, 40))), "a boxing width never wins");
        assertEquals(0, KernelChoice.choose(List.of(boxed(512), boxed(256))), "nothing compiled: plain Java");
        assertEquals(0, KernelChoice.choose(List.of()));
    }

    @Test
    void thisJvmRunsTheWidthItChoseThroughout() {
        int bits = KernelChoice.vectorBits();
        assertEquals(bits, Gemm.KERNEL.vectorBits());
        assertEquals(bits, KernelChoice.poolBits(), "pooling runs the GEMM's width: no second width in one JVM");
        if (bits > 0) {
            assertEquals(2 * bits / 32, Gemm.NR);
            assertTrue(KernelChoice.decision().trials().stream().anyMatch(t -> t.bits() == bits && t.compiled()),
                    KernelChoice.trialsReport());
            assertTrue(KernelChoice.describe().startsWith("vector " + bits + "-bit (" + bits / 32 + " lanes)"));
        } else {
            assertEquals(16, Gemm.NR);
            assertTrue(KernelChoice.describe().startsWith("plain Java"));
        }
    }

    /**
     * A JVM limited to 128-bit vectors (as a CPU without AVX would be) does not compile forced 512- or 256-bit
     * kernels: the choice falls back to 128 bits with a one-line warning. Runs in JVMs of its own, on any host.
     */
    @Test
    void aForcedWidthTheJvmDoesNotCompileFallsBackWithOneWarning() throws Exception {
        assumeTrue(VectorSupport.MODULE_PRESENT);
        String out = runJvm("-XX:MaxVectorSize=16", "-Dconvj.vectorBits=512");
        assertTrue(out.contains("bits=128"), out);
        assertTrue(out.contains("-Dconvj.vectorBits=512: this JVM does not compile 512-bit kernels on this CPU (they "
                + "allocate a box per vector); using 128-bit instead"), out);
        assertTrue(out.contains("512-bit kernel: not compiled by this JVM"), out);
        assertTrue(out.contains("256-bit kernel: not compiled by this JVM"), out);
        assertTrue(out.contains("128-bit kernel: compiled, 6×8 tile"), out);
        assertEquals(1, out.lines().filter(l -> l.contains("does not compile")).count(), out);

        String plain = runJvm("-XX:MaxVectorSize=16", "-Dconvj.vectorBits=0");
        assertTrue(plain.contains("bits=0 nr=16"), plain);
        assertTrue(plain.contains("plain Java"), plain);
    }

    /**
     * Stacked tiles that never compile within their budget (C2 took seconds over them with AVX2's 16 registers, and
     * a budget shared with the other kernels made a whole width look uncompilable) cost two panels, never the width.
     */
    @Test
    void stackedTilesThatDoNotCompileCostTwoPanelsNotTheWidth() {
        int bits = Gemm.KERNEL.vectorBits(); // the width this JVM runs anyway: the trial adds no second one
        String before = System.getProperty("convj.twoPanels");
        System.setProperty("convj.twoPanels", "true");
        try {
            List<String> warmed = new ArrayList<>();
            // the first rounds (every other kernel) compile, the second (the stacked tiles) never do
            KernelChoice.Trial t = KernelTrial.run(bits, round -> warmed.add("round") && warmed.size() == 1);
            assertEquals(2, warmed.size(), "the stacked tiles are warmed apart from the rest");
            assertTrue(t.compiled(), t.toString());
            assertTrue(t.gflops() > 0, t.toString());
            assertEquals(0, t.twoPanelGflops(), t.toString());
            assertTrue(!KernelChoice.twoPanelsFaster(decision(bits, t)));
        } finally {
            if (before == null) {
                System.clearProperty("convj.twoPanels");
            } else {
                System.setProperty("convj.twoPanels", before);
            }
        }
    }

    /** Gemm with two panels per tile, forced in a JVM of its own: the same products (JDK 17 would not choose it). */
    @Test
    void theGemmStackingTwoPanelsComputesEveryProduct() throws Exception {
        assumeTrue(VectorSupport.MODULE_PRESENT);
        String out = runJvm(TwoPanelGemmMain.class, "-Dconvj.twoPanels=true");
        assumeTrue(!out.contains("bits=0"), "plain Java has no stacked tile: " + out);
        assertTrue(out.contains("twoPanels=true"), out);
        assertTrue(out.strip().endsWith("ok"), out);
    }

    private static String runJvm(String... options) throws Exception {
        return runJvm(KernelChoiceMain.class, options);
    }

    private static String runJvm(Class<?> main, String... options) throws Exception {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "-Dconvj.cache=none"));
        command.addAll(List.of(options));
        command.addAll(List.of("-cp", System.getProperty("java.class.path") + File.pathSeparator
                + Path.of(Gemm.class.getProtectionDomain().getCodeSource().getLocation().toURI()),
                main.getName()));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        return out;
    }
}
