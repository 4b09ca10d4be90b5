package dev.convj.onnx.imports;

import static dev.convj.onnx.imports.OnnxModels.in;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.onnx.proto.OnnxMl.ModelProto;
import dev.convj.onnx.OnnxFiles;
import dev.convj.onnx.OnnxFormatException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What cannot be imported fails at import, in one message naming the node, its operator and what to do. */
class ImportErrorsTest {

    @TempDir
    Path dir;

    private static String importError(ModelProto model) {
        return assertThrows(OnnxFormatException.class, () -> OnnxImporter.importModel(model, "m.onnx")).getMessage();
    }

    @Test
    void anUnsupportedOperatorIsNamedWithTheSupportedList() {
        ModelProto model = OnnxModels.input(4).node("Relu", in("x"), "r").node("Erf", in("r"), "y").output("y");
        assertEquals("m.onnx: node 'erf2' (Erf): ConvJ does not import the operator Erf; it imports " + OnnxImporter.SUPPORTED,
                importError(model));
    }

    @Test
    void aTruncatedFileFailsWithoutAProtobufTrace() throws Exception {
        byte[] whole = Files.readAllBytes(Fixtures.onnx("resnet.opset17"));
        Path cut = dir.resolve("cut.onnx");
        Files.write(cut, Arrays.copyOf(whole, whole.length / 2));
        OnnxFormatException e = assertThrows(OnnxFormatException.class, () -> OnnxImporter.read(cut));
        assertEquals(cut + ": not a readable ONNX model (While parsing a protocol message, the input ended unexpectedly"
                + " in the middle of a field.  This could mean either that the input has been truncated or that an"
                + " embedded message misreported its own length.); the file may be truncated or another format",
                e.getMessage());
    }

    @Test
    void aFileThatIsNotOnnxIsRefused() throws Exception {
        Path text = dir.resolve("notes.onnx");
        Files.writeString(text, "convj-network 1\ninput [1, 28, 28]\n");
        OnnxFormatException e = assertThrows(OnnxFormatException.class, () -> OnnxFiles.read(text));
        assertEquals(true, e.getMessage().startsWith(text + ": "), e.getMessage());
    }

    @Test
    void anOpsetOutsideElevenToEighteenIsNamed() {
        ModelProto model = OnnxModels.input(4).opset(9).node("Relu", in("x"), "y").output("y");
        assertEquals("m.onnx: the model uses ONNX opset 9; ConvJ imports opsets 11 to 18 (re-export it, e.g."
                + " torch.onnx.export(..., opset_version=17))", importError(model));
    }

    @Test
    void multiplyingTwoComputedTensorsIsRefused() {
        ModelProto model = OnnxModels.input(4).node("Relu", in("x"), "r").node("Sigmoid", in("x"), "s")
                .node("Mul", in("r", "s"), "y").output("y");
        assertEquals("m.onnx: node 'mul3' (Mul): joins the branches that start at 'x' with Mul; ConvJ joins branches"
                + " with Concat along the channels (parallel) or Add (residual)", importError(model));
    }

    @Test
    void dilatedPoolingIsRefusedNamingTheNode() {
        ModelProto model = OnnxModels.input(1, 8, 8).node("MaxPool", in("x"), "y", "kernel_shape", new int[] {2, 2},
                "dilations", new int[] {2, 2}).output("y");
        assertEquals("m.onnx: node 'maxpool1' (MaxPool): dilations [2, 2]; ConvJ pools without dilation (dilations of"
                + " 1)", importError(model));
    }

    @Test
    void aReshapeAcrossTheBatchIsRefused() {
        ModelProto model = OnnxModels.input(4, 2).ints("shape", 2, -1).node("Reshape", in("x", "shape"), "y")
                .output("y");
        assertEquals("m.onnx: node 'reshape1' (Reshape): reshapes [N, 4, 2] to [2, -1], which changes the batch axis;"
                + " ConvJ keeps axis 0 as the batch (use 0 or -1 there, or x.view(x.size(0), ...))", importError(model));
    }

    @Test
    void anOpenImageSizeIsRefused() {
        ModelProto model = OnnxModels.input(3).node("Relu", in("x"), "y").output("y").toBuilder()
                .setGraph(OnnxModels.input(3).node("Relu", in("x"), "y").output("y").getGraph().toBuilder()
                        .setInput(0, OnnxModels.input(3).output("x").getGraph().getInput(0).toBuilder()
                                .setType(OnnxModels.input(3).output("x").getGraph().getInput(0).getType().toBuilder()
                                        .setTensorType(OnnxModels.input(3).output("x").getGraph().getInput(0).getType()
                                                .getTensorType().toBuilder().setShape(
                                                        ai.onnx.proto.OnnxMl.TensorShapeProto.newBuilder()
                                                                .addDim(ai.onnx.proto.OnnxMl.TensorShapeProto.Dimension
                                                                        .newBuilder().setDimParam("N"))
                                                                .addDim(ai.onnx.proto.OnnxMl.TensorShapeProto.Dimension
                                                                        .newBuilder().setDimParam("width")))))))
                .build();
        assertEquals("m.onnx: input 'x' has an open extent on axis 1 (width); only the batch axis may be open:"
                + " re-export with fixed image sizes", importError(model));
    }
}
