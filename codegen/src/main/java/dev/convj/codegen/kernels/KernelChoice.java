package dev.convj.codegen.kernels;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Which micro-kernel this JVM runs, decided once per process, before the first GEMM: each candidate width (the
 * widest the JVM offers, then narrower ones) is warmed on the real kernels until the JIT has compiled them, and
 * kept only if its warm calls allocate nothing (a JIT that does not intrinsify a vector operation boxes every
 * vector, and runs 4–50× slower); of those the fastest wins. {@code -Dconvj.vectorBits=512|256|128|0} forces a
 * width (0: plain Java); a forced width the JVM does not compile falls back with a one-line warning.
 * {@code -Dconvj.vector=false} is the same as {@code 0}.
 */
public final class KernelChoice {
    private KernelChoice() {}

    /** The name the choice is logged under (one INFO line, a WARNING when a forced width falls back). */
    public static final String LOGGER = "dev.convj.kernels";

    /**
     * One candidate's trial: whether its warm kernels ran without allocating within the budget, and its speed then.
     *
     * @param bits    vector width, 0 for the plain-Java kernel
     * @param compiled true when a warm round of every kernel allocated 0 bytes
     * @param gflops  the tile kernel's speed once warm (0 when not compiled)
     * @param twoPanelGflops the speed of two tiles stacked ({@link MicroKernel#tile2}), 0 when not compiled
     * @param gatherGflops the gathered GEMM's wide tile's speed ({@link MicroKernel#gatherTile}), 0 when not timed
     * @param narrowGatherGflops its narrow tile's ({@link MicroKernel#gatherTileNarrow}), 0 when not timed
     * @param millis  wall time the trial took
     */
    public record Trial(int bits, boolean compiled, double gflops, double twoPanelGflops, double gatherGflops,
                        double narrowGatherGflops, double millis) {}

    /**
     * The decision: the width in use, the trials behind it, how long choosing took, whether the trials came from the
     * disk cache, and the warning to print if a forced width fell back (else empty).
     */
    public record Decision(int bits, List<Trial> trials, double millis, boolean cached, Optional<String> warning) {
        public Decision {
            trials = List.copyOf(trials);
        }
    }

    /**
     * A narrower width must be this much faster to win over a wider one: a trial times its tile for a few
     * milliseconds, and a loaded host moves such a figure by a fifth.
     */
    static final double NOISE = 1.25;

    private static final Decision DECISION = decide();
    private static final MicroKernel KERNEL = KernelTrial.kernelOf(DECISION.bits());

    static {
        System.Logger log = System.getLogger(LOGGER);
        DECISION.warning().ifPresent(w -> log.log(System.Logger.Level.WARNING, w));
        log.log(System.Logger.Level.INFO, "ConvJ kernel: " + describe() + hint().map(h -> "; " + h).orElse(""));
        if (!DECISION.trials().isEmpty() && DECISION.trials().stream().noneMatch(Trial::compiled)) {
            log.log(System.Logger.Level.WARNING, "ConvJ kernel: no vector width compiled in its trial, so the plain-Java"
                    + " kernel runs; the trials are tried again at the next start (a busy host can starve the JIT);"
                    + " -Dconvj.vectorBits=0 skips them");
        }
    }

    /** The kernel in use. */
    static MicroKernel kernel() {
        return KERNEL;
    }

    /** The decision made for this process. */
    public static Decision decision() {
        return DECISION;
    }

    /**
     * The speed of the kernel in use as its trial measured it, GFLOP/s; for the plain-Java kernel, which is not
     * timed, {@code plainJava}.
     */
    public static double measuredGflops(double plainJava) {
        for (Trial t : DECISION.trials()) {
            if (t.bits() == DECISION.bits() && t.compiled() && t.gflops() > 0) {
                return t.gflops();
            }
        }
        return plainJava;
    }

    /**
     * What a multiply-add of the gathered GEMM's narrow tile costs in the wide tile's, as the trial of the width in
     * use timed the two (their speed ratio, held within [1, {@link #MAX_NARROW_TILE_COST}]: the narrow tile does the
     * wide one's work with more broadcasts, and a figure outside that is the host's noise); {@code untimed} when the
     * trial timed neither.
     */
    public static double narrowTileCost(double untimed) {
        return narrowTileCost(DECISION, untimed);
    }

    static double narrowTileCost(Decision d, double untimed) {
        for (Trial t : d.trials()) {
            if (d.bits() > 0 && t.bits() == d.bits() && t.compiled() && t.gatherGflops() > 0 && t.narrowGatherGflops() > 0) {
                return Math.min(MAX_NARROW_TILE_COST, Math.max(1, t.gatherGflops() / t.narrowGatherGflops()));
            }
        }
        return untimed;
    }

    /** The most {@link #narrowTileCost} says: a quarter of the wide tile's speed. */
    static final double MAX_NARROW_TILE_COST = 4;

    /**
     * Whether Gemm runs two panels of A per tile: when the trial of the width in use timed two stacked tiles faster
     * than one (with 32 vector registers they keep their 24 accumulators; with 16 they spill), on JDK 25 or newer.
     * JDK 17's C2 sometimes left that kernel's vectors boxed in a JVM that had run much else first (a warm LeNet-5
     * step allocated 43 MB in 2 of 5 runs of the examples' tests, none in 4 without it), which the trial's fresh JVM
     * does not see; JDK 25 ran clean. {@code -Dconvj.twoPanels=true|false} decides instead.
     */
    static boolean twoPanels() {
        return DECISION.bits() > 0 && twoPanelsMayRun()
                && (System.getProperty("convj.twoPanels") != null || twoPanelsFaster(DECISION));
    }

    /** The first JDK on which {@link #twoPanels} is chosen by the trial (the oldest tested to run it unboxed). */
    static final int TWO_PANELS_FROM_JDK = 25;

    /** Whether this JVM may run two panels per tile at all: the trial warms and times them only then. */
    static boolean twoPanelsMayRun() {
        String asked = System.getProperty("convj.twoPanels");
        return asked != null ? Boolean.parseBoolean(asked) : Runtime.version().feature() >= TWO_PANELS_FROM_JDK;
    }

    static boolean twoPanelsFaster(Decision d) {
        return d.trials().stream().anyMatch(t -> t.bits() == d.bits() && t.compiled()
                && t.twoPanelGflops() > t.gflops());
    }

    /** Bits per vector of the kernel in use; 0 for plain Java. */
    public static int vectorBits() {
        return DECISION.bits();
    }

    /**
     * Bits per vector of the 2×2 max-pool kernels: the GEMM's. On JDK 17 a second width in the same JVM makes C2 box
     * the vectors of whichever width runs second, so one JVM runs one width throughout.
     */
    static int poolBits() {
        return DECISION.bits();
    }

    /** E.g. "vector 512-bit (16 lanes), 12×32 tiles" or "plain Java (no Vector API)". */
    public static String describe() {
        int bits = DECISION.bits();
        if (bits == 0) {
            return VectorSupport.AVAILABLE ? "plain Java" : "plain Java (no Vector API)";
        }
        return "vector " + bits + "-bit (" + bits / 32 + " lanes)"
                + (twoPanels() ? ", " + 2 * Gemm.MR + "×" + 2 * bits / 32 + " tiles" : "")
                + (VectorSupport.uncheckedReads() ? "" : ", bounds-checked panel reads");
    }

    /** The JVM option that would make the kernel faster, when one would. */
    public static Optional<String> hint() {
        if (!VectorSupport.MODULE_PRESENT) {
            return Optional.of("run java with --add-modules jdk.incubator.vector for the Vector API kernels");
        }
        if (DECISION.bits() > 0 && !VectorSupport.uncheckedReads() && Runtime.version().feature() >= 24
                && System.getProperty("convj.uncheckedReads") == null) {
            return Optional.of("run java with --sun-misc-unsafe-memory-access=allow for unchecked panel reads (about"
                    + " twice as fast)");
        }
        return Optional.empty();
    }

    private static Decision decide() {
        long start = System.nanoTime();
        Integer forced = forcedBits(System.getProperty("convj.vectorBits"), System.getProperty("convj.vector"));
        if (!VectorSupport.AVAILABLE || Integer.valueOf(0).equals(forced)) {
            return new Decision(0, List.of(), 0, false, Optional.empty());
        }
        List<Integer> candidates = candidates(VectorSupport.preferredBits(), forced);
        List<Trial> trials = KernelChoiceCache.read(forced).orElse(null);
        boolean cached = trials != null;
        if (!cached) {
            trials = new ArrayList<>();
            for (int bits : candidates) {
                Optional<Trial> t = KernelTrial.inChildJvm(bits);
                if (t.isEmpty()) { // no JVM could be started: try the widest here, the one width this JVM may run
                    trials = List.of(KernelTrial.run(candidates.get(0)));
                    break;
                }
                trials.add(t.get());
                if (forced != null && t.get().compiled()) {
                    break; // what was asked for works
                }
            }
        }
        int bits = forced != null && trials.get(0).compiled() ? forced : choose(trials);
        // A result where no width compiled is not kept: it is what a host too busy for the JIT looks like too, and
        // caching it would leave every later run on the plain-Java kernel.
        if (!cached && trials.stream().anyMatch(Trial::compiled)) {
            KernelChoiceCache.write(forced, trials);
        }
        Optional<String> warning = Optional.empty();
        if (forced != null && bits != forced) {
            warning = Optional.of("-Dconvj.vectorBits=" + forced + ": this JVM does not compile " + forced
                    + "-bit kernels on this CPU (they allocate a box per vector); using "
                    + (bits == 0 ? "the plain-Java kernel" : bits + "-bit") + " instead");
        }
        return new Decision(bits, trials, (System.nanoTime() - start) / 1e6, cached, warning);
    }

    /**
     * The width asked for: {@code convj.vectorBits} (512, 256, 128 or 0), else 0 when {@code convj.vector} is
     * "false", else null (choose by measuring).
     */
    static Integer forcedBits(String vectorBits, String vector) {
        if (vectorBits != null && !vectorBits.isBlank()) {
            String v = vectorBits.strip();
            if (!List.of("512", "256", "128", "0").contains(v)) {
                throw new IllegalArgumentException("-Dconvj.vectorBits=" + vectorBits
                        + " is not a kernel width: use 512, 256, 128 or 0 (plain Java)");
            }
            return Integer.valueOf(v);
        }
        return "false".equals(vector) ? 0 : null;
    }

    /**
     * The widths to try, widest first: a forced width and those below it, else the JVM's preferred width and those
     * below it; 128 only when nothing wider is offered or it was asked for (it is never faster than 256).
     */
    static List<Integer> candidates(int preferred, Integer forced) {
        List<Integer> out = new ArrayList<>();
        int top = forced != null ? forced : preferred;
        for (int bits : new int[] {512, 256, 128}) {
            if (bits <= top && (bits > 128 || forced != null || preferred <= 128 || out.isEmpty())) {
                out.add(bits);
            }
        }
        return out;
    }

    /**
     * The fastest trial that compiled, a wider one kept unless a narrower one beats it by more than {@link #NOISE};
     * 0 (plain Java) when none compiled. Trials come widest first.
     */
    static int choose(List<Trial> trials) {
        Trial best = null;
        for (Trial t : trials) {
            if (t.compiled() && (best == null || t.gflops() > best.gflops() * NOISE)) {
                best = t;
            }
        }
        return best == null ? 0 : best.bits();
    }

    /**
     * Twelve independent chains of {@code iterations} vector FMAs at the chosen width, nothing loaded or stored, and
     * their sum: what a benchmark times for the core's peak. Plain Java has no such peak: an error.
     */
    public static float fmaChains(int iterations) {
        return KERNEL.fmaChains(iterations);
    }

    /** The trials behind the decision, one line each (empty when nothing was tried), for benchmarks and bug reports. */
    public static String trialsReport() {
        StringBuilder s = new StringBuilder();
        for (Trial t : DECISION.trials()) {
            s.append(String.format(Locale.ROOT, "  %d-bit kernel: %s%n", t.bits(), t.compiled()
                    ? String.format(Locale.ROOT, "compiled, 6×%d tile at %.1f GFLOP/s", 2 * t.bits() / 32, t.gflops())
                            + (t.twoPanelGflops() > 0 ? String.format(Locale.ROOT, ", 12×%d at %.1f%s",
                            2 * t.bits() / 32, t.twoPanelGflops(), t.bits() == DECISION.bits() && twoPanels()
                            ? " (used)" : "") : "")
                            + (t.gatherGflops() > 0 ? String.format(Locale.ROOT, "; gathered 6×%d at %.1f, %d×%d at"
                            + " %.1f", 2 * t.bits() / 32, t.gatherGflops(), MicroKernel.NARROW_ROWS, t.bits() / 32,
                            t.narrowGatherGflops()) : "")
                    : "not compiled by this JVM (allocates a box per vector)"));
        }
        if (!DECISION.trials().isEmpty()) {
            s.append(String.format(Locale.ROOT, "  (chosen in %.0f ms%s)%n", DECISION.millis(),
                    DECISION.cached() ? ", the trials read from the cache" : ""));
        }
        return s.toString();
    }
}
