package dev.convj.runtime.compile;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Keeps the on-disk compile cache bounded. After each stored entry: entries of another code-generator build (their
 * key's part after the graph hash differs) unused for {@link Bound#staleAfter} go, then, while more than
 * {@link Bound#maxEntries} entries or {@link Bound#maxBytes} bytes remain, the least recently used go, other builds'
 * first. An entry's last use is the modification time of its checksum list, which every disk hit refreshes. Only
 * directories named like entries are touched: {@code kernels/} and anything else in the directory stay.
 */
final class CacheEviction {
    private CacheEviction() {}

    /** The limits; {@code -Dconvj.cache.maxEntries=N} and {@code -Dconvj.cache.maxBytes=N} override the defaults. */
    record Bound(int maxEntries, long maxBytes, Duration staleAfter) {
        Bound {
            if (maxEntries < 1 || maxBytes < 1 || staleAfter.isNegative()) {
                throw new IllegalArgumentException("need at least one entry, one byte and a non-negative age");
            }
        }

        static Bound defaults() {
            // Entries are tens of kilobytes, so the count binds first; the byte bound guards against huge graphs.
            return new Bound(Integer.getInteger("convj.cache.maxEntries", 256),
                    Long.getLong("convj.cache.maxBytes", 128L << 20), Duration.ofDays(7));
        }
    }

    /** A cache entry seen on disk. */
    private record Entry(Path dir, boolean otherBuild, long lastUse, long bytes) {}

    // Temporary and set-aside directories this old belong to a process that died; younger ones may be in use.
    private static final Duration ABANDONED = Duration.ofHours(1);

    /** Applies {@code bound} to the cache in {@code root}, keeping every entry of {@code build} that fits. */
    static void sweep(Path root, String build, Bound bound, long nowMillis) {
        List<Entry> entries = new ArrayList<>();
        try (Stream<Path> list = Files.list(root)) {
            for (Path p : (Iterable<Path>) list::iterator) {
                String name = p.getFileName().toString();
                if (isScratch(name)) {
                    if (nowMillis - modified(p) > ABANDONED.toMillis()) {
                        deleteTree(p);
                    }
                } else if (isEntry(name) && Files.isDirectory(p)) {
                    entries.add(new Entry(p, !name.substring(name.indexOf('_') + 1).equals(build), lastUse(p),
                            bytes(p)));
                }
            }
        } catch (IOException | UncheckedIOException e) {
            return; // best effort: the next store sweeps again
        }
        List<Entry> kept = new ArrayList<>();
        for (Entry e : entries) {
            if (e.otherBuild() && nowMillis - e.lastUse() > bound.staleAfter().toMillis()) {
                evict(e.dir());
            } else {
                kept.add(e);
            }
        }
        kept.sort(Comparator.comparing((Entry e) -> !e.otherBuild()).thenComparingLong(Entry::lastUse));
        long total = kept.stream().mapToLong(Entry::bytes).sum();
        int count = kept.size();
        for (Entry e : kept) {
            if (count <= bound.maxEntries() && total <= bound.maxBytes()) {
                break;
            }
            evict(e.dir());
            count--;
            total -= e.bytes();
        }
    }

    /** Whether {@code name} is a cache key: a 16-digit hex graph hash, '_', the build ("v<version>…"). */
    static boolean isEntry(String name) {
        if (name.length() < 19 || name.charAt(16) != '_' || name.charAt(17) != 'v' || name.indexOf('.') >= 0) {
            return false;
        }
        for (int i = 0; i < 16; i++) {
            if (Character.digit(name.charAt(i), 16) < 0) {
                return false;
            }
        }
        return true;
    }

    static boolean isScratch(String name) {
        int dot = name.indexOf('.');
        return dot > 0 && isEntry(name.substring(0, dot))
                && (name.startsWith(".tmp-", dot) || name.startsWith(".old-", dot));
    }

    /** Renames the entry aside first, so that readers see it whole or not at all, then deletes it. */
    static void evict(Path dir) {
        Path aside = dir.resolveSibling(dir.getFileName() + ".old-" + UUID.randomUUID());
        try {
            Files.move(dir, aside, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            return; // gone already, or replaced meanwhile: another process is looking after it
        }
        deleteTree(aside);
    }

    static void deleteTree(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            // Best effort: a leftover directory is swept again later.
        }
    }

    private static long lastUse(Path dir) {
        Path sums = dir.resolve(DiskCache.CHECKSUMS);
        return Files.isRegularFile(sums) ? modified(sums) : modified(dir);
    }

    private static long modified(Path p) {
        try {
            return Files.getLastModifiedTime(p).toMillis();
        } catch (NoSuchFileException e) {
            return Long.MAX_VALUE; // vanished meanwhile: nothing to do
        } catch (IOException e) {
            return 0;
        }
    }

    private static long bytes(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.mapToLong(p -> {
                try {
                    BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
                    return a.isRegularFile() ? a.size() : 0;
                } catch (IOException e) {
                    return 0;
                }
            }).sum();
        } catch (IOException | UncheckedIOException e) {
            return 0;
        }
    }
}
