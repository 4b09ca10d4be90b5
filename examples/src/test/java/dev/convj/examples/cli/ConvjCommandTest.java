package dev.convj.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convj.examples.Models;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class ConvjCommandTest {

    private record Run(int exit, String out, String err) {}

    private static Run run(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int exit = ConvjCommand.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void summaryOfLenet5() {
        Run r = run("summary", "--model", "lenet5");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("total: 61,706 parameters"), r.out());
        assertTrue(r.out().contains("conv2        conv2d           16×10×10"), r.out());
    }

    @Test
    void gradcheckOfLenet5PassesForEveryParameter() {
        Run r = run("gradcheck", "--model", "lenet5", "--samples", "8");
        assertEquals(0, r.exit(), r.out() + r.err());
        assertTrue(r.out().contains("PASSED: all 10 gradients agree"), r.out());
        for (String p : new String[] {"conv1.weight", "conv1.bias", "conv2.weight", "fc1.weight", "fc3.bias"}) {
            assertTrue(r.out().lines().anyMatch(l -> l.startsWith(p + " ") && l.endsWith("ok")), p + "\n" + r.out());
        }
    }

    @Test
    void unknownModelIsOneClearLineAndAnError() {
        Run r = run("summary", "--model", "alexnet");
        assertEquals(2, r.exit());
        assertEquals("convj: --model alexnet: neither a built-in model (" + String.join(", ", Models.names())
                + ") nor an existing file\n", r.err());
        assertFalse(r.err().contains("Exception"));
    }

    @Test
    void badOptionValueIsReportedWithoutAStackTrace() {
        Run r = run("gradcheck", "--batch", "many");
        assertEquals(2, r.exit());
        assertTrue(r.err().startsWith("convj: Invalid value for option '--batch': 'many' is not an int"), r.err());
        assertFalse(r.err().contains("\tat "), r.err());
    }

    @Test
    void everySubcommandHasHelp() {
        for (String sub : new String[] {"summary", "gradcheck"}) {
            Run r = run(sub, "--help");
            assertEquals(0, r.exit(), sub);
            assertTrue(r.out().contains("Usage: convj " + sub), r.out());
            assertTrue(r.out().contains("--model"), r.out());
        }
        assertTrue(run("--help").out().contains("gradcheck"));
    }
}
