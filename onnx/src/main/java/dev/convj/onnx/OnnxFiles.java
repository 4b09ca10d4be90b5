package dev.convj.onnx;

import ai.onnx.proto.OnnxMl.ModelProto;
import com.google.protobuf.CodedInputStream;
import dev.convj.runtime.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads and writes ONNX model files: malformed or truncated files fail with one line, never a protobuf trace. */
public final class OnnxFiles {
    private OnnxFiles() {}

    /** Protobuf's own 2 GB message limit; larger ONNX models keep their weights in external files. */
    private static final int MAX_MESSAGE = Integer.MAX_VALUE;

    public static ModelProto read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new OnnxFormatException(file + ": no such ONNX file");
        }
        return parse(Files.readAllBytes(file), file.toString());
    }

    /** Parses an in-memory model; {@code source} names it in errors. */
    public static ModelProto parse(byte[] bytes, String source) {
        if (bytes.length == 0) {
            throw new OnnxFormatException(source + ": empty file, not an ONNX model");
        }
        ModelProto model;
        try {
            CodedInputStream in = CodedInputStream.newInstance(bytes);
            in.setSizeLimit(MAX_MESSAGE);
            in.setRecursionLimit(256);
            model = ModelProto.parseFrom(in);
            in.checkLastTagWas(0);
        } catch (IOException e) {
            throw new OnnxFormatException(source + ": not a readable ONNX model (" + firstLine(e.getMessage())
                    + "); the file may be truncated or another format", e);
        } catch (RuntimeException e) {
            throw new OnnxFormatException(source + ": not a readable ONNX model (" + e.getClass().getSimpleName()
                    + ")", e);
        }
        if (!model.hasGraph() || model.getGraph().getNodeCount() == 0) {
            throw new OnnxFormatException(source + ": an ONNX model needs a graph with at least one node; this file"
                    + " has none (truncated, or not an ONNX model)");
        }
        return model;
    }

    /** Writes the model atomically: a reader never sees half a file. */
    public static void write(Path file, ModelProto model) throws IOException {
        AtomicFiles.write(file, model.toByteArray());
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "malformed";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }
}
