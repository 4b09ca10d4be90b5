package dev.convj.runtime.compile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convj.graph.Graph;
import dev.convj.graph.autodiff.Autodiff;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The compile cache: one compilation per structure, in memory and across processes, never a damaged entry. */
class CompileCacheTest {

    @Test
    void theSameStructureCompilesOnceAndAChangedShapeCompilesAnew() {
        GraphCompiler compiler = new GraphCompiler(null);
        compiler.load(LenetCompiledTest.lenet(2));
        compiler.load(LenetCompiledTest.lenet(2)); // equal structure, built again
        assertEquals(new GraphCompiler.Stats(1, 0, 1), compiler.stats());
        compiler.load(LenetCompiledTest.lenet(3)); // another batch size: another specialization
        assertEquals(2, compiler.stats().compilations());
        assertNotEquals(GraphCompiler.key(LenetCompiledTest.lenet(2)), GraphCompiler.key(LenetCompiledTest.lenet(3)));
    }

    @Test
    void aSecondProcessLoadsFromDiskAndCanReadTheSource(@TempDir Path cache) throws Exception {
        Graph g = LenetCompiledTest.lenet(2);
        new GraphCompiler(cache).load(g);
        Path entry = cache.resolve(GraphCompiler.key(g));
        try (Stream<Path> files = Files.list(entry)) {
            List<String> names = files.map(p -> p.getFileName().toString()).sorted().toList();
            assertTrue(names.contains("checksums.txt"), names.toString());
            assertTrue(names.stream().anyMatch(n -> n.endsWith(".java")), names.toString());
            assertTrue(names.stream().anyMatch(n -> n.endsWith(".class")), names.toString());
        }
        GraphCompiler fresh = new GraphCompiler(cache); // a new process has only the disk
        fresh.load(g);
        assertEquals(new GraphCompiler.Stats(0, 1, 0), fresh.stats());
    }

    @Test
    void cachedClassFilesAreJava17SoEverySupportedJdkCanLoadThem(@TempDir Path cache) throws Exception {
        Graph g = LenetCompiledTest.lenet(1);
        new GraphCompiler(cache).load(g);
        try (Stream<Path> files = Files.list(cache.resolve(GraphCompiler.key(g)))) {
            List<Path> classes = files.filter(p -> p.toString().endsWith(".class")).toList();
            assertTrue(!classes.isEmpty(), "no class files in the entry");
            for (Path c : classes) {
                byte[] bytes = Files.readAllBytes(c);
                int major = (bytes[6] & 0xff) << 8 | (bytes[7] & 0xff);
                assertEquals(61, major, c + " has class-file version " + major + ", not Java 17's 61");
            }
        }
    }

    @Test
    void aCorruptedEntryIsDetectedAndRecompiledNeverLoaded(@TempDir Path cache) throws Exception {
        Graph g = Autodiff.gradients(LenetCompiledTest.lenet(2), "loss").graph();
        new GraphCompiler(cache).load(g);
        Path classFile;
        try (Stream<Path> files = Files.list(cache.resolve(GraphCompiler.key(g)))) {
            classFile = files.filter(p -> p.toString().endsWith(".class")).findFirst().orElseThrow();
        }
        byte[] bytes = Files.readAllBytes(classFile);
        bytes[bytes.length / 2] ^= 0x5A;
        Files.write(classFile, bytes);
        GraphCompiler fresh = new GraphCompiler(cache);
        fresh.load(g);
        assertEquals(new GraphCompiler.Stats(0, 0, 1), fresh.stats());
        // The rewritten entry is whole again, and the code it holds computes the right numbers.
        GraphCompiler third = new GraphCompiler(cache);
        Differential.assertMatches(third, g, LenetCompiledTest.feeds(g, 4), 1);
        assertEquals(1, third.stats().diskHits());
    }

    @Test
    void aTruncatedChecksumListIsADamagedEntry(@TempDir Path cache) throws Exception {
        Graph g = LenetCompiledTest.lenet(1);
        new GraphCompiler(cache).load(g);
        Files.writeString(cache.resolve(GraphCompiler.key(g)).resolve("checksums.txt"), "");
        GraphCompiler fresh = new GraphCompiler(cache);
        fresh.load(g);
        assertEquals(1, fresh.stats().compilations());
    }
}
