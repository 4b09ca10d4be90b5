package dev.convj.runtime.compile;

import dev.convj.codegen.GeneratedSource;
import dev.convj.graph.Murmur3;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Compiled graphs on disk, one directory per cache key holding the generated source (for people to read), the
 * class files, and {@code checksums.txt} with the 128-bit MurmurHash3 of each (cheap in a cold JVM, and ample
 * against torn or damaged files). An entry is written into a temporary directory and renamed into place, so readers
 * never see half an entry; a damaged entry is reported and never loaded, and the next store replaces it by renaming
 * it aside. A store that finds a whole entry already in place (another process won the race) keeps that one. The
 * cache's size is bounded by {@link CacheEviction}.
 */
final class DiskCache {
    static final String CHECKSUMS = "checksums.txt";

    /** What a store did. */
    enum Stored { NEW, REPAIRED, ALREADY_PRESENT, FAILED }

    private final Path root;
    private final CacheEviction.Bound bound;

    DiskCache(Path root) {
        this(root, CacheEviction.Bound.defaults());
    }

    DiskCache(Path root, CacheEviction.Bound bound) {
        this.root = root;
        this.bound = bound;
    }

    static Path defaultDirectory() {
        return dev.convj.codegen.kernels.CacheDirectory.root();
    }

    Path directory(String key) {
        return root.resolve(key);
    }

    /** The class files of entry {@code key}, or null when absent or damaged (a damaged entry is reported). */
    Map<String, byte[]> read(String key) {
        Path dir = directory(key);
        if (!Files.isDirectory(dir)) {
            return null;
        }
        try {
            Map<String, byte[]> classes = verify(dir);
            touch(dir);
            return classes;
        } catch (IOException | UncheckedIOException e) {
            if (!Files.isDirectory(dir)) {
                return null; // evicted while we read: simply absent
            }
            System.err.println("convj: compile cache entry " + dir + " is damaged (" + reason(e) + "); recompiling");
            return null;
        }
    }

    /** Stores an entry; failures to write only cost a recompilation later, so they are reported, not thrown. */
    Stored write(String key, GeneratedSource source, Map<String, byte[]> classes) {
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
            Stored outcome = place(temp, target);
            if (outcome != Stored.ALREADY_PRESENT) {
                CacheEviction.sweep(root, key.substring(key.indexOf('_') + 1), bound, System.currentTimeMillis());
            }
            return outcome;
        } catch (IOException e) {
            System.err.println("convj: could not store compiled graph in " + target + ": " + reason(e));
            return Stored.FAILED;
        } finally {
            if (temp != null && Files.exists(temp, LinkOption.NOFOLLOW_LINKS)) {
                CacheEviction.deleteTree(temp);
            }
        }
    }

    /** Renames the finished {@code temp} to {@code target}; a damaged entry in the way is renamed aside first. */
    private Stored place(Path temp, Path target) throws IOException {
        for (int attempt = 0; attempt < 3; attempt++) {
            try {
                try {
                    Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(temp, target);
                }
                return attempt == 0 ? Stored.NEW : Stored.REPAIRED;
            } catch (FileSystemException e) {
                // A non-empty directory in the way fails the rename with ENOTEMPTY, which Java reports as a plain
                // FileSystemException ("Directory not empty"), not FileAlreadyExistsException.
                if (!Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                    throw e;
                }
                if (isWhole(target)) {
                    return Stored.ALREADY_PRESENT;
                }
                Path aside = root.resolve(target.getFileName() + ".old-" + UUID.randomUUID());
                try {
                    Files.move(target, aside, StandardCopyOption.ATOMIC_MOVE);
                } catch (NoSuchFileException gone) {
                    continue; // another process moved it first
                }
                CacheEviction.deleteTree(aside);
            }
        }
        throw new IOException("the entry kept changing while other processes wrote it");
    }

    private static boolean isWhole(Path dir) {
        try {
            verify(dir);
            return true;
        } catch (IOException | UncheckedIOException e) {
            return false;
        }
    }

    /** The entry's class files, after checking every file it lists against its checksum. */
    private static Map<String, byte[]> verify(Path dir) throws IOException {
        Path sums = dir.resolve(CHECKSUMS);
        if (!Files.isRegularFile(sums)) {
            throw new NoSuchFileException(CHECKSUMS);
        }
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
            byte[] bytes;
            try {
                bytes = Files.readAllBytes(dir.resolve(file));
            } catch (NoSuchFileException e) {
                throw new NoSuchFileException(file);
            }
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
    }

    /** Marks the entry as just used, for least-recently-used eviction. */
    private static void touch(Path dir) {
        try {
            Files.setLastModifiedTime(dir.resolve(CHECKSUMS), FileTime.fromMillis(System.currentTimeMillis()));
        } catch (IOException e) {
            // A read-only cache still serves hits; it is only never evicted by use.
        }
    }

    private static String reason(Exception e) {
        if (e instanceof NoSuchFileException) {
            return e.getMessage() + " is missing";
        }
        return e.getMessage();
    }

    static String checksum(byte[] bytes) {
        return Murmur3.hex128(bytes);
    }
}
