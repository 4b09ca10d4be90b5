package dev.convj.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convj.graph.ops.Op;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** {@code convj gradcheck --model all-ops}: every parameter and every op type checked, and named in the report. */
class AllOpsCommandTest {

    @Test
    void allOpsPassesAndNamesEveryOpType() {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int exit = ConvjCommand.execute(new String[] {"gradcheck", "--model", "all-ops", "--samples", "12"},
                new PrintWriter(out, true), new PrintWriter(err, true));
        String report = out.toString();
        assertEquals(0, exit, report + err);
        assertTrue(report.contains("PASSED: all 16 gradients agree"), report);
        for (Class<?> op : Op.class.getPermittedSubclasses()) {
            assertTrue(report.lines().anyMatch(l -> l.startsWith(op.getSimpleName() + " ") && l.contains(" ok ")),
                    op.getSimpleName() + " missing or failing in\n" + report);
        }
        assertTrue(report.contains("PASSED: the gradient rules of all " + Op.class.getPermittedSubclasses().length
                + " op types agree"), report);
    }
}
