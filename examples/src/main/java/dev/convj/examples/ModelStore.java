package dev.convj.examples;

import dev.convj.dsl.Network;
import dev.convj.dsl.NetworkSpec;
import dev.convj.onnx.OnnxFormatException;
import dev.convj.onnx.imports.ImportedModel;
import dev.convj.onnx.imports.OnnxImporter;
import dev.convj.runtime.model.ModelFile;
import dev.convj.runtime.model.SavedModel;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Models for the command line and the lessons: a built-in name ({@code lenet5}, {@code vgg}), a saved model
 * file ({@code .convj}: architecture and weights), an ONNX file ({@code .onnx}, imported), or a network description
 * (the text {@link NetworkSpec} writes).
 */
public final class ModelStore {
    private ModelStore() {}

    /** A network and, when it came from a model file, its trained weights and metadata. */
    public record Loaded(String source, Network network, Map<String, float[]> weights, Map<String, String> metadata) {
        public boolean trained() {
            return weights != null;
        }
    }

    /** Resolves {@code --model}: a built-in name, a model file or a description file. */
    public static Loaded resolve(String model) throws IOException {
        for (String name : Models.names()) {
            if (name.equals(model)) {
                return new Loaded(name, Models.byName(name), null, Map.of());
            }
        }
        Path file = Path.of(model);
        if (!Files.exists(file)) {
            throw new IllegalArgumentException("--model " + model + ": neither a built-in model ("
                    + String.join(", ", Models.names()) + ") nor an existing file");
        }
        if (isModelFile(file) || isOnnx(file)) {
            return load(file);
        }
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("--model " + model + ": not a regular file");
        }
        long size = Files.size(file);
        if (size > MAX_DESCRIPTION) {
            throw new IllegalArgumentException("--model " + model + ": neither a model file (it does not start with "
                    + "CONVJMDL) nor a network description (" + size + " bytes; a description is text of at most "
                    + MAX_DESCRIPTION + ")");
        }
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new IllegalArgumentException("--model " + model + ": neither a model file (it does not start with "
                    + "CONVJMDL) nor a network description (not UTF-8 text)");
        }
        return new Loaded(model, NetworkSpec.read(text), null, Map.of());
    }

    /** Descriptions are a few lines per layer; anything this large is some other file read by mistake. */
    private static final long MAX_DESCRIPTION = 1 << 20;

    /** Loads a saved model or imports an ONNX file; the weights must fit the architecture. */
    public static Loaded load(Path file) throws IOException {
        if (isOnnx(file)) {
            return importOnnx(file);
        }
        SavedModel saved = ModelFile.load(file);
        Network network;
        try {
            network = NetworkSpec.read(saved.architecture());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
        return new Loaded(file.toString(), network, saved.weights(), saved.metadata());
    }

    /** Saves architecture and weights atomically. */
    public static void save(Path file, Network network, Map<String, float[]> weights, Map<String, String> metadata)
            throws IOException {
        ModelFile.save(file, new SavedModel(NetworkSpec.write(network), weights, metadata));
    }

    /** ONNX files are known by their extension: a protobuf message has no magic number. */
    private static boolean isOnnx(Path file) {
        return file.getFileName().toString().toLowerCase(java.util.Locale.ROOT).endsWith(".onnx");
    }

    /**
     * Imports an ONNX model; its output is read as class scores (softmax cross-entropy) when it is [N, classes],
     * and as a regression target (mean squared error) otherwise, so that it can be fine-tuned and evaluated.
     */
    public static Loaded importOnnx(Path file) throws IOException {
        ImportedModel imported;
        try {
            imported = OnnxImporter.read(file);
        } catch (OnnxFormatException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        Network network = imported.network();
        network = network.outputShape().size() == 1 ? network.softmaxCrossEntropy() : network.mse();
        Map<String, String> metadata = new java.util.LinkedHashMap<>();
        metadata.put("imported_from", file.getFileName().toString());
        metadata.put("onnx_opset", String.valueOf(imported.opset()));
        if (!imported.producer().isEmpty()) {
            metadata.put("onnx_producer", imported.producer());
        }
        return new Loaded(file.toString(), network, imported.weights(), metadata);
    }

    private static boolean isModelFile(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] head = in.readNBytes(8);
            return new String(head, StandardCharsets.US_ASCII).equals("CONVJMDL");
        }
    }
}
