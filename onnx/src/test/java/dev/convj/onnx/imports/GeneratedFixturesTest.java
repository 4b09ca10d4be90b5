package dev.convj.onnx.imports;

import static dev.convj.onnx.imports.Fixtures.assertClose;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.convj.runtime.data.Npy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * ONNX files written elsewhere (by random_nets.py, or any exporter) with their inputs and expected outputs as
 * NAME.opsetK.onnx, NAME.input.npy and NAME.output.npy in the directory {@code -Dconvj.onnx.dir=DIR}: each is
 * imported and run compiled and in float64 against the expected output within 1e-4. Skipped without the property.
 */
class GeneratedFixturesTest {

    static Stream<String> files() throws IOException {
        String dir = System.getProperty("convj.onnx.dir");
        if (dir == null) {
            return Stream.of("(none: set -Dconvj.onnx.dir)");
        }
        try (Stream<Path> s = Files.list(Path.of(dir))) {
            List<String> names = s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".onnx")).sorted()
                    .toList();
            return names.stream().map(n -> Path.of(dir).resolve(n).toString());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("files")
    void importedModelMatchesTheExpectedOutput(String file) throws IOException {
        assumeTrue(System.getProperty("convj.onnx.dir") != null, "no -Dconvj.onnx.dir given");
        Path onnx = Path.of(file);
        String name = onnx.getFileName().toString();
        String base = name.contains(".opset") ? name.substring(0, name.indexOf(".opset"))
                : name.substring(0, name.length() - ".onnx".length());
        Npy.Array x = Npy.read(onnx.resolveSibling(base + ".input.npy"));
        Npy.Array y = Npy.read(onnx.resolveSibling(base + ".output.npy"));
        ImportedModel m = OnnxImporter.read(onnx);
        int n = x.shape()[0];
        assertClose(name + " compiled", Fixtures.widen(Fixtures.runCompiled(m, x.floats(), n, 1)), y.floats(), 1e-4);
        assertClose(name + " float64", Fixtures.runInterpreter(m, x.floats(), n), y.floats(), 1e-4);
    }
}
