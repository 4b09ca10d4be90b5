package dev.convj.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** bin/convj: finds java, refuses one older than 17 with a clear message, and passes the options each JDK needs. */
class LauncherTest {
    private static final Path LAUNCHER = Path.of("..", "bin", "convj").toAbsolutePath().normalize();

    @BeforeAll
    static void posixShell() {
        assumeTrue(Files.isExecutable(Path.of("/bin/sh")), "needs a POSIX shell");
    }

    record Run(int exit, String output) {}

    private static Run run(Map<String, String> env, String... args) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(concat(List.of("/bin/sh", LAUNCHER.toString()), args))
                .redirectErrorStream(true);
        pb.environment().remove("JAVA_HOME");
        pb.environment().remove("CONVJ_JAVA_OPTS");
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Run(p.waitFor(), out);
    }

    private static List<String> concat(List<String> head, String... tail) {
        List<String> all = new java.util.ArrayList<>(head);
        all.addAll(List.of(tail));
        return all;
    }

    /** A JDK whose java prints its arguments, of the given version. */
    private static Path fakeJdk(Path dir, String version) throws IOException {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Path java = bin.resolve("java");
        Files.writeString(java, "#!/bin/sh\necho \"args: $*\"\n");
        Files.setPosixFilePermissions(java, Set.of(PosixFilePermissions.fromString("rwxr-xr-x").toArray(
                new java.nio.file.attribute.PosixFilePermission[0])));
        Files.writeString(dir.resolve("release"), "JAVA_VERSION=\"" + version + "\"\n");
        return dir;
    }

    @Test
    void jdk17GetsTheVectorModuleAndEveryArgumentPassesThrough(@TempDir Path dir) throws Exception {
        Path jar = Files.writeString(dir.resolve("convj.jar"), "");
        Run r = run(Map.of("JAVA_HOME", fakeJdk(dir.resolve("jdk17"), "17.0.15").toString(),
                "CONVJ_JAR", jar.toString()), "train", "--epochs", "1", "a b");
        assertEquals(0, r.exit(), r.output());
        assertEquals("args: --add-modules jdk.incubator.vector -jar " + jar + " train --epochs 1 a b",
                r.output().strip());
    }

    @Test
    void jdk24AndNewerAlsoAllowTheUncheckedPanelReads(@TempDir Path dir) throws Exception {
        Path jar = Files.writeString(dir.resolve("convj.jar"), "");
        Run r = run(Map.of("JAVA_HOME", fakeJdk(dir.resolve("jdk25"), "25.0.3").toString(),
                "CONVJ_JAR", jar.toString(), "CONVJ_JAVA_OPTS", "-Xmx1g"), "bench");
        assertEquals(0, r.exit(), r.output());
        assertEquals("args: --add-modules jdk.incubator.vector --sun-misc-unsafe-memory-access=allow -Xmx1g -jar "
                + jar + " bench", r.output().strip());
    }

    @Test
    void anOlderJavaIsRefusedWithWhatToDo(@TempDir Path dir) throws Exception {
        Path jdk = fakeJdk(dir.resolve("jdk11"), "11.0.2");
        Run r = run(Map.of("JAVA_HOME", jdk.toString()), "train");
        assertEquals(1, r.exit());
        assertEquals("convj: " + jdk.resolve("bin/java") + " is Java 11.0.2; ConvJ needs Java 17 or newer: install one"
                + " (e.g. apt-get install openjdk-17-jdk-headless) or set JAVA_HOME", r.output().strip());
        Run old = run(Map.of("JAVA_HOME", fakeJdk(dir.resolve("jdk8"), "1.8.0_392").toString()), "train");
        assertTrue(old.output().contains("is Java 1.8.0_392; ConvJ needs Java 17 or newer"), old.output());
    }

    @Test
    void theRealJdkRunsTheJarWhenBuiltAndSaysHowToBuildItWhenNot(@TempDir Path dir) throws Exception {
        Run r = run(Map.of("JAVA_HOME", System.getProperty("java.home"),
                "CONVJ_JAR", dir.resolve("missing.jar").toString()), "--version");
        assertEquals(1, r.exit());
        assertTrue(r.output().contains("missing.jar is missing: build it first with"), r.output());
        Run noJava = run(Map.of("JAVA_HOME", dir.resolve("nowhere").toString()), "--version");
        assertEquals(1, noJava.exit());
        assertTrue(noJava.output().contains("is not a program: point JAVA_HOME at a JDK 17 or newer"),
                noJava.output());
    }
}
