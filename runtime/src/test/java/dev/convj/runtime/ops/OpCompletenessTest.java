package dev.convj.runtime.ops;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convj.graph.ops.Op;
import dev.convj.runtime.check.GradientCheck;
import dev.convj.runtime.check.OpCases;
import dev.convj.runtime.check.OpGradientCheck;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Every op of the sealed {@link Op} interface has a gradient-check case, and every case passes. */
class OpCompletenessTest {

    @Test
    void everyOpHasAGradientCheckCase() {
        Set<Class<?>> covered = OpCases.all().stream().map(c -> c.op().getClass()).collect(Collectors.toSet());
        List<String> missing = new ArrayList<>();
        for (Class<?> op : Op.class.getPermittedSubclasses()) {
            if (!covered.contains(op)) {
                missing.add(op.getSimpleName());
            }
        }
        assertTrue(missing.isEmpty(), "ops without a gradient-check case in OpCases: " + missing);
    }

    @Test
    void everyCaseRunsItsKernelAndPassesItsGradientCheck() {
        List<String> failures = new ArrayList<>();
        for (OpCases.Case c : OpCases.all()) {
            OpGradientCheck.Result r = c.check(GradientCheck.Options.defaults());
            if (!r.passed()) {
                failures.add(r.op() + " on " + r.operands() + "\n" + r.report());
            }
        }
        assertTrue(failures.isEmpty(), String.join("\n", failures));
    }
}
