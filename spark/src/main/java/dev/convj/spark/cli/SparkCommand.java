package dev.convj.spark.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code convj-spark}: ConvJ's data-parallel training on Apache Spark. */
@Command(name = "convj-spark", mixinStandardHelpOptions = true, subcommands = SparkTrainCommand.class,
        description = "Train ConvJ models data-parallel on Apache Spark (local[N], spark://, yarn, k8s://).")
public final class SparkCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    public static void main(String[] args) throws Exception {
        Integer child = Relaunch.ifNeeded(args);
        if (child != null) {
            System.exit(child);
        }
        CommandLine cli = new CommandLine(new SparkCommand());
        cli.setExecutionExceptionHandler((e, line, parsed) -> {
            // Errors carry their explanation in the message; the stack trace is for bugs.
            if (e instanceof IllegalArgumentException || e instanceof IllegalStateException
                    || e instanceof java.io.IOException) {
                line.getErr().println("convj-spark: " + e.getMessage());
                return 2;
            }
            throw e;
        });
        System.exit(cli.execute(args));
    }
}
