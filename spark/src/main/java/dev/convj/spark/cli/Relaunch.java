package dev.convj.spark.cli;

import java.io.File;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code java -jar convj-spark.jar} cannot name the Vector API module in its manifest (only Add-Opens and
 * Enable-Native-Access are honoured there), and without it ConvJ's kernels run several times slower. When started
 * that way, and not by spark-submit, the launcher starts the same jar again in a child JVM with the module (and on
 * JDK 24 and newer the option that allows the GEMM's unchecked reads), and waits for it: what bin/convj does for
 * convj.jar, done in Java so that the documented java -jar line is the fast one.
 */
final class Relaunch {
    private Relaunch() {}

    static final String MARKER = "CONVJ_SPARK_CHILD";

    /** The child's exit status when this JVM lacks the module and was started with -jar; else null (run here). */
    static Integer ifNeeded(String[] args) throws IOException, InterruptedException {
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent() || System.getenv(MARKER) != null
                || System.getProperty("spark.master") != null) {
            return null;
        }
        String classPath = System.getProperty("java.class.path", "");
        String java = ProcessHandle.current().info().command().orElse(null);
        if (java == null || !classPath.endsWith(".jar") || classPath.contains(File.pathSeparator)) {
            return null;
        }
        List<String> command = new ArrayList<>();
        command.add(java);
        command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        command.add("--add-modules");
        command.add("jdk.incubator.vector");
        if (Runtime.version().feature() >= 24) {
            command.add("--sun-misc-unsafe-memory-access=allow");
        }
        command.add("-jar");
        command.add(classPath);
        command.addAll(List.of(args));
        ProcessBuilder child = new ProcessBuilder(command).inheritIO();
        Map<String, String> env = child.environment();
        env.put(MARKER, "1");
        // Spark resolves the machine's name to pick an address and warns when it is a loopback one; on one machine
        // the loopback address is the right one.
        env.putIfAbsent("SPARK_LOCAL_IP", "127.0.0.1");
        Process p = child.start();
        Runtime.getRuntime().addShutdownHook(new Thread(p::destroy));
        return p.waitFor();
    }
}
