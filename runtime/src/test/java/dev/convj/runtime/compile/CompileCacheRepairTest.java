package dev.convj.runtime.compile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convj.codegen.GeneratedSource;
import dev.convj.graph.Graph;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The disk cache mends damaged entries in one rename, keeps a race's winner quietly, and stays bounded. */
class CompileCacheRepairTest {

    @Test
    void anEntryWithoutItsChecksumListIsRepairedOnceNotRecompiledOnEveryRun(@TempDir Path cache) {
        Graph g = LenetCompiledTest.lenet(1);
        new GraphCompiler(cache).load(g);
        Path entry = cache.resolve(GraphCompiler.key(g));
        assertTrue(entry.resolve("checksums.txt").toFile().delete());

        String err = stderrOf(() -> {
            GraphCompiler second = new GraphCompiler(cache);
            second.load(g);
            return second.stats();
        });
        assertEquals("convj: compile cache entry " + entry + " is damaged (checksums.txt is missing); recompiling\n",
                err);
        GraphCompiler third = new GraphCompiler(cache);
        assertEquals("", stderrOf(() -> third.load(g)));
        assertEquals(new GraphCompiler.Stats(0, 1, 0), third.stats());
        assertEquals(List.of(entry.getFileName().toString()), names(cache)); // nothing left aside
    }

    @Test
    void aWriterThatLosesTheRaceKeepsTheWinnersEntryWithoutAWarning(@TempDir Path cache) throws Exception {
        DiskCache disk = new DiskCache(cache);
        String key = "00000000000000aa_v1_test";
        GeneratedSource source = new GeneratedSource("p.Graph_x", "class Graph_x {}");
        Map<String, byte[]> winner = Map.of("p.Graph_x", new byte[] {1, 2, 3});
        assertEquals(DiskCache.Stored.NEW, disk.write(key, source, winner));
        // The loser compiled the same graph meanwhile; a lost race is as good as a hit.
        String[] outcome = new String[1];
        String err = stderrOf(() -> outcome[0] = disk.write(key, source, Map.of("p.Graph_x", new byte[] {1, 2, 3}))
                .name());
        assertEquals("", err);
        assertEquals("ALREADY_PRESENT", outcome[0]);
        assertEquals(List.of(key), names(cache)); // its temporary directory is gone
        assertEquals(List.of(1, 2, 3), bytes(disk.read(key).get("p.Graph_x")));
    }

    @Test
    void twoCompilersStoringTheSameGraphAtOnceBothSucceedQuietly(@TempDir Path cache) throws Exception {
        Graph g = LenetCompiledTest.lenet(3);
        GraphCompiler first = new GraphCompiler(cache), second = new GraphCompiler(cache);
        java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(2);
        String err = stderrOf(() -> {
            Thread other = new Thread(() -> {
                await(start);
                second.load(g);
            });
            other.start();
            await(start);
            first.load(g); // both miss the disk, compile for half a second and store: one of them loses the race
            try {
                other.join();
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
            return null;
        });
        assertEquals("", err);
        assertEquals(2, first.stats().compilations() + second.stats().compilations());
        assertEquals(List.of(GraphCompiler.key(g)), names(cache));
        GraphCompiler third = new GraphCompiler(cache);
        third.load(g);
        assertEquals(new GraphCompiler.Stats(0, 1, 0), third.stats());
    }

    private static void await(java.util.concurrent.CyclicBarrier barrier) {
        try {
            barrier.await();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void aDamagedEntryInTheWayIsRenamedAsideAndReplacedWhole(@TempDir Path cache) throws Exception {
        DiskCache disk = new DiskCache(cache);
        String key = "00000000000000bb_v1_test";
        GeneratedSource source = new GeneratedSource("p.Graph_x", "class Graph_x {}");
        disk.write(key, source, Map.of("p.Graph_x", new byte[] {7}));
        Files.write(cache.resolve(key).resolve("p.Graph_x.class"), new byte[] {8});
        assertEquals("convj: compile cache entry " + cache.resolve(key)
                + " is damaged (p.Graph_x.class does not match its checksum); recompiling\n", stderrOf(() -> disk.read(key)));
        assertEquals(DiskCache.Stored.REPAIRED, disk.write(key, source, Map.of("p.Graph_x", new byte[] {9})));
        assertEquals(List.of(9), bytes(disk.read(key).get("p.Graph_x")));
        assertEquals(List.of(key), names(cache));
    }

    @Test
    void theLeastRecentlyUsedEntriesGoOtherBuildsFirstAndKernelTrialsStay(@TempDir Path cache) throws Exception {
        DiskCache roomy = new DiskCache(cache, new CacheEviction.Bound(100, 1 << 20, Duration.ofDays(7)));
        DiskCache disk = new DiskCache(cache, new CacheEviction.Bound(3, 1 << 20, Duration.ofDays(7)));
        Files.createDirectories(cache.resolve("kernels"));
        Files.writeString(cache.resolve("kernels").resolve("abc.txt"), "512 1.0 0 ok\n");
        GeneratedSource source = new GeneratedSource("p.Graph_x", "class Graph_x {}");
        Map<String, byte[]> classes = Map.of("p.Graph_x", new byte[] {1});
        long now = System.currentTimeMillis();
        String oldBuild = "00000000000000c1_v1_old";
        String recent = "00000000000000c2_v1_cur", used = "00000000000000c3_v1_cur", idle = "00000000000000c4_v1_cur";
        for (String k : List.of(oldBuild, recent, used, idle)) {
            roomy.write(k, source, classes);
        }
        // Ages: the other build's entry was used a minute ago, yet goes first; of this build, the idlest goes next.
        age(cache, oldBuild, now - 60_000);
        age(cache, recent, now - 120_000);
        age(cache, used, now - 3_600_000);
        age(cache, idle, now - 7_200_000);
        disk.read(used); // a hit makes it the most recently used
        disk.write("00000000000000c5_v1_cur", source, classes);
        assertEquals(List.of("00000000000000c2_v1_cur", "00000000000000c3_v1_cur", "00000000000000c5_v1_cur",
                "kernels"), names(cache));
        assertEquals("512 1.0 0 ok\n", Files.readString(cache.resolve("kernels").resolve("abc.txt")));
    }

    @Test
    void anotherBuildsEntryUnusedForAWeekGoesEvenUnderTheBound(@TempDir Path cache) throws Exception {
        DiskCache disk = new DiskCache(cache, new CacheEviction.Bound(100, 1 << 20, Duration.ofDays(7)));
        GeneratedSource source = new GeneratedSource("p.Graph_x", "class Graph_x {}");
        Map<String, byte[]> classes = Map.of("p.Graph_x", new byte[] {1});
        long day = 86_400_000L, now = System.currentTimeMillis();
        disk.write("00000000000000d1_v1_old", source, classes);
        disk.write("00000000000000d2_v1_old", source, classes);
        disk.write("00000000000000d3_v1_cur", source, classes);
        age(cache, "00000000000000d1_v1_old", now - 8 * day);
        age(cache, "00000000000000d2_v1_old", now - 6 * day);
        age(cache, "00000000000000d3_v1_cur", now - 30 * day); // this build's: kept while it fits
        Files.createDirectories(cache.resolve("00000000000000d9_v1_cur.tmp-123"));
        Files.setLastModifiedTime(cache.resolve("00000000000000d9_v1_cur.tmp-123"), FileTime.fromMillis(now - day));
        disk.write("00000000000000d4_v1_cur", source, classes);
        assertEquals(List.of("00000000000000d2_v1_old", "00000000000000d3_v1_cur", "00000000000000d4_v1_cur"),
                names(cache));
    }

    @Test
    void theTestsCacheInTheBuildDirectoryNotTheUsersHome() {
        String configured = System.getProperty("convj.cache");
        assertTrue(configured != null && Path.of(configured).endsWith(Path.of("target", "convj-cache")),
                "convj.cache = " + configured);
        assertFalse(DiskCache.defaultDirectory().startsWith(Path.of(System.getProperty("user.home"), ".cache")));
    }

    private static void age(Path cache, String key, long millis) throws Exception {
        Files.setLastModifiedTime(cache.resolve(key).resolve("checksums.txt"), FileTime.fromMillis(millis));
    }

    private static List<String> names(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static List<Integer> bytes(byte[] b) {
        return java.util.stream.IntStream.range(0, b.length).mapToObj(i -> (int) b[i]).toList();
    }

    /** What {@code action} prints to standard error. */
    static String stderrOf(Supplier<?> action) {
        PrintStream saved = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            action.get();
        } finally {
            System.setErr(saved);
        }
        return captured.toString(StandardCharsets.UTF_8).replace(System.lineSeparator(), "\n");
    }
}
