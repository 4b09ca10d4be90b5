package dev.convj.onnx.imports;

import static dev.convj.onnx.imports.Fixtures.assertClose;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.convj.runtime.data.Npy;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The fixtures themselves, run by ONNX Runtime: each file computes what PyTorch computed (within 1e-4), so that a
 * difference between ConvJ and PyTorch is ConvJ's and not the exporter's.
 */
class OnnxRuntimeFixturesTest {

    static Stream<String> files() {
        return Fixtures.files();
    }

    /** The output of ONNX Runtime (all graph optimizations, one thread) on {@code x}. */
    static float[] run(Path model, float[] x, int[] shape) throws IOException, OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(1);
            try (OrtSession session = env.createSession(Files.readAllBytes(model), options);
                 OnnxTensor input = OnnxTensor.createTensor(env, FloatBuffer.wrap(x),
                         Arrays.stream(shape).asLongStream().toArray());
                 OrtSession.Result result = session.run(Map.of(session.getInputNames().iterator().next(), input))) {
                FloatBuffer out = ((OnnxTensor) result.get(0)).getFloatBuffer();
                float[] values = new float[out.remaining()];
                out.get(values);
                return values;
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("files")
    void onnxRuntimeComputesWhatPyTorchDid(String file) throws Exception {
        Npy.Array x = Fixtures.input(file), y = Fixtures.output(file);
        float[] out = run(Fixtures.onnx(file), x.floats(), x.shape());
        assertClose(file + " in ONNX Runtime", Fixtures.widen(out), y.floats(), 1e-4);
    }
}
