package dev.convj.onnx.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convj.onnx.OnnxFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every exported model passes the reference checker, {@code onnx.checker.check_model(model, full_check=True)} (which
 * also runs strict shape inference), through Python's onnx package (Debian: python3-onnx). Without any python3 the
 * test is skipped saying so; a python3 without the onnx package fails it, so that a CI image missing the package
 * cannot pass unnoticed.
 */
class OnnxCheckerTest {

    private static final String CHECK = String.join("\n",
            "import sys, onnx",
            "for path in sys.argv[1:]:",
            "    onnx.checker.check_model(onnx.load(path), full_check=True)",
            "    print('checked', path)");

    @Test
    void everyExportedModelPassesTheOnnxChecker(@TempDir Path dir) throws Exception {
        Optional<String> python = python();
        Assumptions.assumeTrue(python.isPresent(), "no python3 on this machine (looked for $CONVJ_PYTHON, "
                + "/usr/bin/python3 and python3 on the PATH): the ONNX checker cannot run");
        List<String> command = new ArrayList<>(List.of(python.get(), "-c", CHECK));
        for (ExportCases.Case c : ExportCases.all()) {
            Path file = dir.resolve(c.name() + ".onnx");
            OnnxFiles.write(file, OnnxExporter.export(c.network(), ExportCases.weights(c.network(), 3)));
            command.add(file.toString());
        }
        Path handBuilt = dir.resolve("matrix-product-and-sum.onnx"), forms = dir.resolve("imported-layer-forms.onnx");
        OnnxFiles.write(handBuilt, OnnxExporter.export(ExportCases::matrixProductAndSum, ExportCases.handBuiltWeights(),
                "g"));
        OnnxFiles.write(forms, OnnxExporter.export(ExportCases::importedLayerForms, ExportCases.handBuiltWeights(),
                "g"));
        command.add(handBuilt.toString());
        command.add(forms.toString());
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the ONNX checker did not finish in 2 minutes");
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), python.get() + " with onnx.checker failed:\n" + output);
        assertEquals(ExportCases.all().size() + 2, output.lines().filter(l -> l.startsWith("checked ")).count(), output);
    }

    /**
     * The first python3 that imports onnx; if python3 exists but none imports it, that python3, so that the check
     * fails with Python's own ModuleNotFoundError.
     */
    static Optional<String> python() throws IOException, InterruptedException {
        List<String> candidates = new ArrayList<>();
        String configured = System.getenv("CONVJ_PYTHON");
        if (configured != null && !configured.isBlank()) {
            candidates.add(configured);
        }
        if (Files.isExecutable(Path.of("/usr/bin/python3"))) {
            candidates.add("/usr/bin/python3");
        }
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            Path p = Path.of(dir.isEmpty() ? "." : dir, "python3");
            if (Files.isExecutable(p)) {
                candidates.add(p.toString());
            }
        }
        for (String candidate : candidates) {
            Process p = new ProcessBuilder(candidate, "-c", "import onnx").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            if (p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0) {
                return Optional.of(candidate);
            }
        }
        return candidates.stream().findFirst();
    }
}
