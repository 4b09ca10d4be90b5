package dev.convj.onnx.imports;

import static dev.convj.onnx.imports.Fixtures.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.convj.dsl.Network;
import dev.convj.dsl.NetworkSpec;
import dev.convj.runtime.data.Npy;
import java.io.IOException;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every fixture written by PyTorch's exporter, imported and run by ConvJ, against PyTorch's own output: the
 * compiled inference graph and the float64 interpreter, within 1e-4 by |a − b| / (1 + |b|), on a batch of 3 where
 * the export traced 2.
 */
class PyTorchFixturesTest {

    static Stream<String> files() {
        return Fixtures.files();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("files")
    void compiledInferenceMatchesPyTorch(String file) throws IOException {
        ImportedModel m = OnnxImporter.read(Fixtures.onnx(file));
        Npy.Array x = Fixtures.input(file), y = Fixtures.output(file);
        int n = Fixtures.batch(x);
        float[] out = Fixtures.runCompiled(m, x.floats(), n, 1);
        assertClose(file + " compiled", Fixtures.widen(out), y.floats(), 1e-4);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("files")
    void float64InterpreterMatchesPyTorch(String file) throws IOException {
        ImportedModel m = OnnxImporter.read(Fixtures.onnx(file));
        Npy.Array x = Fixtures.input(file), y = Fixtures.output(file);
        assertClose(file + " float64", Fixtures.runInterpreter(m, x.floats(), Fixtures.batch(x)), y.floats(), 1e-4);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("files")
    void importedNetworkRoundTripsThroughItsText(String file) throws IOException {
        Network network = OnnxImporter.read(Fixtures.onnx(file)).network();
        String text = NetworkSpec.write(network);
        assertEquals(text, NetworkSpec.write(NetworkSpec.read(text)));
        assertEquals(network.inferenceGraph(2).graph().toText(),
                NetworkSpec.read(text).inferenceGraph(2).graph().toText());
    }
}
