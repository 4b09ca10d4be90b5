package dev.convj.examples.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Unmatched;

/** {@code convj jmh [JMH ARGS…]}: the jar's JMH benchmarks (TrainingStepBenchmark, GemmBenchmark). */
@Command(name = "jmh", description = "Run the JMH benchmarks in the jar, e.g. convj jmh GemmBenchmark -prof gc; "
        + "the arguments are JMH's (convj jmh -h lists them).")
final class JmhCommand implements Callable<Integer> {
    @Parameters(arity = "0..*", description = "JMH's arguments.")
    List<String> args = new ArrayList<>();

    @Unmatched
    List<String> unmatched = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        List<String> all = new ArrayList<>(args);
        all.addAll(unmatched);
        org.openjdk.jmh.Main.main(all.toArray(new String[0]));
        return 0;
    }
}
