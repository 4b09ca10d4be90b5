package dev.convj.examples.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** On a busy machine the clean-time filter says that it waits, gives up after a bound, and flags the figure. */
class TimerTest {

    /** A machine whose other processes use {@code shares[i]} of the CPU during chunk i (the last share after). */
    private static Timer.LoadGauge busy(double... shares) {
        return new Timer.LoadGauge() {
            int chunk;

            @Override
            public double[] start() {
                return new double[0];
            }

            @Override
            public double foreignShare(double[] start, double elapsedSeconds) {
                return shares[Math.min(chunk++, shares.length - 1)];
            }
        };
    }

    /** An action of exactly 10 ms on a clock that only it moves. */
    private record Run(long[] now, Runnable action) {
        static Run tenMilliseconds() {
            long[] now = {0};
            return new Run(now, () -> now[0] += 10_000_000L);
        }
    }

    @Test
    void aBusyMachineIsReportedWhileWaitingAndTheFigureIsFlaggedAfterTheBound() {
        Run run = Run.tenMilliseconds();
        List<String> progress = new ArrayList<>();
        Timer timer = new Timer(1.0, 5, busy(0.5), progress::add, () -> run.now()[0]);
        Timer.Timing t = timer.secondsPerCall(run.action(), 2, 3);
        assertEquals(List.of(
                "bench: waiting for a quiet machine: 0.0 of 2.0 s clean after 4 s (other processes used 50 % of the"
                        + " CPU), at most 6 s more",
                "bench: no quiet 2.0 s within 10 s (other processes used 50 % of the CPU); this figure is taken under"
                        + " load"), progress);
        assertTrue(t.underLoad());
        assertEquals(0.5, t.foreignShare(), 1e-12);
        assertEquals(0.01, t.secondsPerCall(), 1e-12);
        // Warm-up 2 s, the first window gives up at 10 s, the other two take 2 s each without waiting.
        assertEquals(16_000_000_000L, run.now()[0]);
    }

    @Test
    void aMachineThatQuietsDownInTimeGivesACleanFigureAfterSayingItWaited() {
        Run run = Run.tenMilliseconds();
        List<String> progress = new ArrayList<>();
        Timer timer = new Timer(1.0, 5, busy(0.5, 0.5, 0.5, 0.0), progress::add, () -> run.now()[0]);
        Timer.Timing t = timer.secondsPerCall(run.action(), 2, 1);
        assertEquals(List.of("bench: waiting for a quiet machine: 1.0 of 2.0 s clean after 4 s (other processes used"
                + " 38 % of the CPU), at most 6 s more"), progress);
        assertFalse(t.underLoad());
        assertEquals(0.01, t.secondsPerCall(), 1e-12);
        assertEquals(7_000_000_000L, run.now()[0]); // 2 s warm-up, 3 busy chunks, 2 clean ones
    }

    @Test
    void aQuietMachineSaysNothing() {
        Run run = Run.tenMilliseconds();
        List<String> progress = new ArrayList<>();
        Timer.Timing t = new Timer(1.0, 5, busy(0.01), progress::add, () -> run.now()[0])
                .secondsPerCall(run.action(), 2, 3);
        assertEquals(List.of(), progress);
        assertEquals(new Timer.Timing(0.01, false, 0), new Timer.Timing(Math.rint(t.secondsPerCall() * 1e6) / 1e6,
                t.underLoad(), t.foreignShare()));
        assertEquals(8_000_000_000L, run.now()[0]);
    }

    @Test
    void benchMarksAFigureTakenUnderLoadAndExplainsTheMarkUnderTheTable() {
        long[] now = {0};
        StringWriter out = new StringWriter();
        List<String> progress = new ArrayList<>();
        // Every clock reading moves 10 ms: the timing no longer depends on how busy this machine is.
        Timer timer = new Timer(0.1, 5, busy(0.3), progress::add, () -> now[0] += 10_000_000L);
        new Bench(new PrintWriter(out, true), 0.2, timer).trainingSteps(List.of("lenet5"), List.of(1), 8);
        List<String> lines = out.toString().lines().toList();
        assertTrue(lines.get(3).matches("lenet5 +\\d+\\* +\\d+ B"), out.toString());
        assertEquals("* taken under load: no quiet 0.2 s came within 1 s, and other processes used up to 30 % of the"
                + " CPU meanwhile; rerun on a quieter machine for a clean figure", lines.get(4));
        assertEquals(2, progress.size(), progress.toString());
    }
}
