package dev.convj.runtime.compile;

import dev.convj.codegen.GeneratedSource;
import dev.convj.codegen.emit.StandaloneEmitter;
import dev.convj.graph.ModelGraph;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Map;

/**
 * Exports a trained model as one Java source file that depends on nothing but the JDK, with the weights inside:
 * {@code new FashionNet().predict(image)}. The file is written atomically (temporary file, then rename).
 */
public final class StandaloneExport {
    private StandaloneExport() {}

    /**
     * Writes {@code dir/SimpleName.java} for the forward pass of {@code model} (rebuilt by the caller for batch 1)
     * and returns its path.
     *
     * @param vectorApi carry the Vector API micro-kernel (needs {@code --add-modules jdk.incubator.vector})
     */
    public static Path export(ModelGraph model, Map<String, float[]> weights, String qualifiedName, Path dir,
                              boolean vectorApi) throws IOException {
        GeneratedSource source = source(model, weights, qualifiedName, vectorApi);
        Files.createDirectories(dir);
        Path target = dir.resolve(source.simpleName() + ".java");
        // Not Files.createTempFile: that makes the file owner-only; a plain create honours the umask like javac's.
        Path temp = dir.resolve("." + source.simpleName() + ".java." + Long.toHexString(System.nanoTime()) + ".tmp");
        try {
            Files.writeString(temp, source.source(), StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE);
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(temp);
        }
        return target;
    }

    /** The exported source without writing it. */
    public static GeneratedSource source(ModelGraph model, Map<String, float[]> weights, String qualifiedName,
                                         boolean vectorApi) {
        if (model.batch() != 1) {
            throw new IllegalArgumentException("export the model's graph for batch 1, got batch " + model.batch());
        }
        // Only the forward pass: the loss and its target are not part of a prediction.
        var forward = model.graph().withOutputs(java.util.List.of(model.output()));
        forward = dev.convj.graph.passes.DeadCodeElimination.prune(forward, n -> false);
        return StandaloneEmitter.generate(forward, model.input(), model.output(), weights,
                qualifiedName, vectorApi);
    }
}
