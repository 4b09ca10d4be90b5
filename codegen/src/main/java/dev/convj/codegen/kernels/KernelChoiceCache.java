package dev.convj.codegen.kernels;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * {@link KernelChoice}'s trials kept on disk, so that they run once per JVM build, option set, CPU and ConvJ build
 * rather than once per process: {@code kernels/<key>.txt} in the compile cache's directory ({@code -Dconvj.cache=DIR},
 * else {@code $XDG_CACHE_HOME/convj}, else {@code ~/.cache/convj}; {@code none} keeps nothing). Written atomically; a
 * file that does not parse is ignored and rewritten.
 */
final class KernelChoiceCache {
    private KernelChoiceCache() {}

    /** The trials recorded for this JVM, CPU and forced width, if any. */
    static Optional<List<KernelChoice.Trial>> read(Integer forced) {
        Path file = file(forced);
        if (file == null || !Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try {
            List<KernelChoice.Trial> trials = new ArrayList<>();
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                String[] f = line.split(" ");
                if (f.length != 7) {
                    return Optional.empty();
                }
                int bits = Integer.parseInt(f[0]);
                if (bits != 512 && bits != 256 && bits != 128) {
                    return Optional.empty();
                }
                trials.add(new KernelChoice.Trial(bits, Boolean.parseBoolean(f[1]), Double.parseDouble(f[2]),
                        Double.parseDouble(f[3]), Double.parseDouble(f[4]), Double.parseDouble(f[5]),
                        Double.parseDouble(f[6])));
            }
            return trials.isEmpty() ? Optional.empty() : Optional.of(trials);
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** Records the trials; a cache that cannot be written is skipped (the trials then run again next time). */
    static void write(Integer forced, List<KernelChoice.Trial> trials) {
        Path file = file(forced);
        if (file == null) {
            return;
        }
        StringBuilder text = new StringBuilder();
        for (KernelChoice.Trial t : trials) {
            text.append(String.format(Locale.ROOT, "%d %b %.3f %.3f %.3f %.3f %.1f%n", t.bits(), t.compiled(),
                    t.gflops(), t.twoPanelGflops(), t.gatherGflops(), t.narrowGatherGflops(), t.millis()));
        }
        try {
            Files.createDirectories(file.getParent());
            Path temp = Files.createTempFile(file.getParent(), ".trial", ".tmp");
            Files.writeString(temp, text, StandardCharsets.UTF_8);
            try {
                Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException | RuntimeException e) {
            // a read-only home or cache: choosing again next time is the only cost
        }
    }

    private static Path file(Integer forced) {
        Path root = CacheDirectory.root();
        return root == null ? null : root.resolve("kernels").resolve(key(forced) + ".txt");
    }

    /** What the trials' outcome depends on: the JVM, its options, the CPU, ConvJ's kernels and the forced width. */
    static String key(Integer forced) {
        StringBuilder identity = new StringBuilder();
        identity.append(System.getProperty("java.home")).append('|').append(System.getProperty("java.vm.version"))
                .append('|').append(System.getProperty("os.arch")).append('|').append(forced).append('|')
                .append(KernelTrial.jvmOptions()).append('|').append(cpu()).append('|').append(build());
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(identity.toString()
                    .getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash, 0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The CPU's model and feature flags (Linux), else what the OS names it. */
    private static String cpu() {
        try {
            Path info = Path.of("/proc/cpuinfo");
            if (Files.isReadable(info)) {
                StringBuilder s = new StringBuilder();
                for (String line : Files.readAllLines(info, StandardCharsets.UTF_8)) {
                    if (line.isBlank()) {
                        break; // the first processor is enough
                    }
                    if (line.startsWith("model name") || line.startsWith("flags") || line.startsWith("Features")
                            || line.startsWith("vendor_id")) {
                        s.append(line).append('\n');
                    }
                }
                return s.toString();
            }
        } catch (IOException | RuntimeException e) {
            // fall through
        }
        return System.getenv().getOrDefault("PROCESSOR_IDENTIFIER", "") + Runtime.getRuntime().availableProcessors();
    }

    /** Where the kernels were loaded from, with its size and time: another build may compile differently. */
    private static String build() {
        try {
            var source = KernelChoiceCache.class.getProtectionDomain().getCodeSource();
            Path location = Path.of(source.getLocation().toURI());
            Path probe = Files.isDirectory(location)
                    ? location.resolve(KernelTrial.class.getName().replace('.', '/') + ".class") : location;
            return location + "|" + Files.size(probe) + "|" + Files.getLastModifiedTime(probe).toMillis()
                    + "|" + ManagementFactory.getRuntimeMXBean().getSpecVersion();
        } catch (Exception e) {
            return "unknown";
        }
    }
}
