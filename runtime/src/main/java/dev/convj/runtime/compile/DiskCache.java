package dev.convj.runtime.compile;

import dev.convj.codegen.GeneratedSource;
import dev.convj.graph.Murmur3;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Compiled graphs on disk, one directory per cache key holding the generated source (for people to read), the
 * class files, and {@code checksums.txt} with the 128-bit MurmurHash3 of each (cheap in a cold JVM, and ample
 * against torn or damaged files). An entry is written into a temporary
 * directory and renamed into place, so readers never see half an entry; an entry whose checksums do not match
 * is deleted and reported as absent, never loaded.
 */
final class DiskCache {
    private static final String CHECKSUMS = "checksums.txt";
    private final Path root;

    DiskCache(Path root) {
        this.root = root;
    }

    static Path defaultDirectory() {
        String configured = System.getProperty("convj.cache");
        if (configured != null) {
            return configured.equals("none") ? null : Path.of(configured);
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("convj");
    }

    Path directory(String key) {
        return root.resolve(key);
    }

    /** The class files of entry {@code key}, or null when absent or damaged (a damaged entry is removed). */
    Map<String, byte[]> read(String key) {
        Path dir = directory(key);
        Path sums = dir.resolve(CHECKSUMS);
        if (!Files.isRegularFile(sums)) {
            return null;
        }
        try {
            Map<String, byte[]> classes = new LinkedHashMap<>();
            List<String> lines = Files.readAllLines(sums, StandardCharsets.UTF_8);
            if (lines.isEmpty()) {
                throw new IOException("empty checksum list");
            }
            for (String line : lines) {
                int gap = line.indexOf("  "); // not split(): a regular expression costs a cold JVM its start-up
                if (gap < 0) {
                    throw new IOException("malformed checksum line: " + line);
                }
                String sum = line.substring(0, gap), file = line.substring(gap + 2);
                byte[] bytes = Files.readAllBytes(dir.resolve(file));
                if (!checksum(bytes).equals(sum)) {
                    throw new IOException(file + " does not match its checksum");
                }
                if (file.endsWith(".class")) {
                    classes.put(file.substring(0, file.length() - ".class".length()), bytes);
                }
            }
            if (classes.isEmpty()) {
                throw new IOException("no class files listed");
            }
            return classes;
        } catch (IOException | UncheckedIOException e) {
            System.err.println("convj: compile cache entry " + dir + " is damaged (" + e.getMessage()
                    + "); recompiling");
            deleteQuietly(dir);
            return null;
        }
    }

    /** Stores an entry; failures to write only cost a recompilation later, so they are reported, not thrown. */
    void write(String key, GeneratedSource source, Map<String, byte[]> classes) {
        Path target = directory(key);
        Path temp = null;
        try {
            Files.createDirectories(root);
            temp = Files.createTempDirectory(root, key + ".tmp-");
            List<String> sums = new ArrayList<>();
            byte[] src = source.source().getBytes(StandardCharsets.UTF_8);
            String srcName = source.simpleName() + ".java";
            Files.write(temp.resolve(srcName), src);
            sums.add(checksum(src) + "  " + srcName);
            for (Map.Entry<String, byte[]> c : classes.entrySet()) {
                String name = c.getKey() + ".class";
                Files.write(temp.resolve(name), c.getValue());
                sums.add(checksum(c.getValue()) + "  " + name);
            }
            Files.write(temp.resolve(CHECKSUMS), sums, StandardCharsets.UTF_8);
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException | DirectoryNotEmptyException e) {
                // Another process stored the same entry first; theirs is as good as ours.
                deleteQuietly(temp);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, target);
            }
        } catch (IOException e) {
            System.err.println("convj: could not store compiled graph in " + target + ": " + e.getMessage());
            if (temp != null) {
                deleteQuietly(temp);
            }
        }
    }

    static String checksum(byte[] bytes) {
        return Murmur3.hex128(bytes);
    }

    private static void deleteQuietly(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            // Best effort: a leftover directory is rewritten or ignored next time.
        }
    }
}
