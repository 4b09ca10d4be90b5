package dev.convj.runtime.compile;

import dev.convj.codegen.CodegenVersion;
import dev.convj.codegen.emit.ClassEmitter;
import dev.convj.graph.Murmur3;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Stream;

/**
 * Identifies the code generator that is running: its version number and a hash of where its classes come from
 * (the jar's path, size and modification time, or the class files of a development build). Part of every cache key, so a changed generator
 * never reuses classes that an older one wrote to disk, even if someone forgot to bump the version.
 */
final class CodegenFingerprint {
    private CodegenFingerprint() {}

    private static final String VALUE = compute();

    static String value() {
        return VALUE;
    }

    private static String compute() {
        String base = "v" + CodegenVersion.VERSION;
        CodeSource cs = ClassEmitter.class.getProtectionDomain().getCodeSource();
        if (cs == null || cs.getLocation() == null) {
            return base;
        }
        try {
            Path location = Path.of(cs.getLocation().toURI());
            java.io.ByteArrayOutputStream identity = new java.io.ByteArrayOutputStream();
            if (Files.isDirectory(location)) {
                List<Path> classes;
                try (Stream<Path> walk = Files.walk(location)) {
                    classes = walk.filter(p -> p.toString().endsWith(".class")).sorted().toList();
                }
                for (Path p : classes) {
                    identity.writeBytes(location.relativize(p).toString().getBytes(StandardCharsets.UTF_8));
                    identity.writeBytes(Files.readAllBytes(p));
                }
            } else {
                // A jar: its path, size and modification time change with every build; reading it would cost a
                // fresh JVM tens of milliseconds on each on-disk cache hit.
                var attributes = Files.readAttributes(location, java.nio.file.attribute.BasicFileAttributes.class);
                identity.writeBytes((location.toAbsolutePath() + "|" + attributes.size() + "|"
                        + attributes.lastModifiedTime().toMillis()).getBytes(StandardCharsets.UTF_8));
            }
            return base + "_" + Murmur3.hex128(identity.toByteArray()).substring(0, 8);
        } catch (IOException | UncheckedIOException | java.net.URISyntaxException | IllegalArgumentException e) {
            return base;
        }
    }
}
