package dev.convj.examples.cli;

import dev.convj.codegen.kernels.KernelChoice;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code convj} command line: one subcommand per job. */
@Command(name = "convj", mixinStandardHelpOptions = true, version = "convj 0.1.0",
        description = "ConvJ: write, check and train convolutional networks in plain Java.",
        subcommands = {TrainCommand.class, EvalCommand.class, PredictCommand.class, DiagramCommand.class,
                SummaryCommand.class, GradcheckCommand.class, CompileCommand.class, ExportCommand.class, BenchCommand.class,
                InferCommand.class, ImportCommand.class, LessonCommand.class, JmhCommand.class,
                CommandLine.HelpCommand.class})
public final class ConvjCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Held, as the logging framework keeps its loggers only while someone does. */
    private static final java.util.logging.Logger KERNEL_LOG = java.util.logging.Logger.getLogger(KernelChoice.LOGGER);

    public static void main(String[] args) {
        quietKernelLog();
        System.exit(execute(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the command line; user errors are one line on {@code err} and a non-zero exit code, never a trace. */
    public static int execute(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cli = new CommandLine(new ConvjCommand());
        cli.setOut(out);
        cli.setErr(err);
        cli.setParameterExceptionHandler((ex, a) -> {
            err.println("convj: " + ex.getMessage());
            err.println("Try '" + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help'.");
            return 2;
        });
        cli.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            if (ex instanceof IllegalArgumentException || ex instanceof IllegalStateException) {
                err.println("convj: " + ex.getMessage());
                return 2;
            }
            Throwable io = ex instanceof java.io.UncheckedIOException ? ex.getCause() : ex;
            if (io instanceof java.nio.file.NoSuchFileException missing) {
                err.println("convj: no such file: " + missing.getFile()
                        + (missing.getReason() == null ? "" : " (" + missing.getReason() + ")"));
                return 1;
            }
            if (io instanceof java.io.IOException) {
                err.println("convj: " + io.getMessage());
                return 1;
            }
            throw ex;
        });
        return cli.execute(args);
    }

    /**
     * The commands print the kernel in use themselves; the kernel choice's own log keeps to warnings, one line each
     * on standard error.
     */
    private static void quietKernelLog() {
        KERNEL_LOG.setUseParentHandlers(false);
        KERNEL_LOG.setLevel(java.util.logging.Level.WARNING);
        KERNEL_LOG.addHandler(new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord record) {
                if (isLoggable(record)) {
                    System.err.println("convj: " + record.getMessage());
                }
            }

            @Override
            public void flush() {
                System.err.flush();
            }

            @Override
            public void close() {
                flush();
            }
        });
    }
}
