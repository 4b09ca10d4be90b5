package dev.convj.runtime.compile;

import dev.convj.codegen.GeneratedSource;
import dev.convj.runtime.AtomicFiles;
import dev.convj.codegen.emit.StandaloneEmitter;
import dev.convj.graph.ModelGraph;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
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
        Path target = dir.resolve(source.simpleName() + ".java");
        AtomicFiles.write(target, source.source().getBytes(StandardCharsets.UTF_8));
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
