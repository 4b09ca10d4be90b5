package dev.convj.runtime.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** .npy files as NumPy writes them (fixtures made by src/test/resources/npy/make_fixtures.py), and back. */
class NpyTest {

    private static Path fixture(String name) throws URISyntaxException {
        return Path.of(NpyTest.class.getResource("/npy/" + name).toURI());
    }

    @Test
    void readsWhatNumpyWrites() throws Exception {
        Npy.Array a = Npy.read(fixture("f32_2x3.npy"));
        assertArrayEquals(new int[] {2, 3}, a.shape());
        assertEquals("float32", a.dtype());
        assertArrayEquals(new float[] {1.5f, -2f, 3.25f, 0f, -0f, 1e-8f}, a.floats());
        assertEquals(Float.floatToIntBits(-0f), Float.floatToIntBits(a.floats()[4]), "−0 read bit for bit");
        Npy.Array longs = Npy.read(fixture("i64_4.npy"));
        assertArrayEquals(new long[] {0, -1, 1L << 40, 7}, longs.longs());
        Npy.Array scalar = Npy.read(fixture("f32_scalar.npy"));
        assertArrayEquals(new int[0], scalar.shape());
        assertArrayEquals(new float[] {2.5f}, scalar.floats());
        Npy.Array v2 = Npy.read(fixture("f32_v2.npy"));
        assertArrayEquals(new int[] {2, 2}, v2.shape());
        assertArrayEquals(new float[] {0, 1, 2, 3}, v2.floats());
    }

    @Test
    void writesWhatItReadsByteForByteAsNumpyDoes(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("copy.npy");
        Npy.write(out, Npy.read(fixture("f32_2x3.npy")));
        assertArrayEquals(Files.readAllBytes(fixture("f32_2x3.npy")), Files.readAllBytes(out));
        Npy.write(out, Npy.read(fixture("i64_4.npy")));
        assertArrayEquals(Files.readAllBytes(fixture("i64_4.npy")), Files.readAllBytes(out));
        Npy.write(out, Npy.read(fixture("f32_scalar.npy")));
        assertArrayEquals(Files.readAllBytes(fixture("f32_scalar.npy")), Files.readAllBytes(out));
        Npy.Array one = Npy.Array.of(new float[] {4f}, 1);
        Npy.write(out, one);
        assertTrue(new String(Files.readAllBytes(out), java.nio.charset.StandardCharsets.ISO_8859_1)
                .contains("'shape': (1,), }"), "a 1-tuple is written as Python writes it");
        assertArrayEquals(new float[] {4f}, Npy.read(out).floats());
        assertEquals(0, (Files.readAllBytes(out).length - 4) % 64, "the data starts 64-byte aligned, as numpy does");
    }

    @Test
    void otherKindsOfArrayAreRefusedSayingHowToConvertThem() throws Exception {
        assertEquals(fixture("f64_2.npy") + " holds floats of dtype '<f8'; ConvJ reads float32 and int64 arrays "
                + "(little-endian): save a.astype(np.float32) or a.astype(np.int64)",
                assertThrows(IOException.class, () -> Npy.read(fixture("f64_2.npy"))).getMessage());
        assertEquals(fixture("f32_bigendian.npy") + " holds floats of dtype '>f4', big-endian; ConvJ reads float32 and"
                + " int64 arrays (little-endian): save a.astype(np.float32) or a.astype(np.int64)",
                assertThrows(IOException.class, () -> Npy.read(fixture("f32_bigendian.npy"))).getMessage());
        assertEquals(fixture("f32_fortran.npy") + " is in Fortran (column-major) order; save np.ascontiguousarray(a)",
                assertThrows(IOException.class, () -> Npy.read(fixture("f32_fortran.npy"))).getMessage());
    }

    @Test
    void damagedFilesAreRefusedNamingTheFile(@TempDir Path dir) throws Exception {
        byte[] good = Files.readAllBytes(fixture("f32_2x3.npy"));
        Path truncated = Files.write(dir.resolve("t.npy"), Arrays.copyOf(good, good.length - 5));
        assertEquals(truncated + " is truncated: shape [2, 3] of '<f4' needs 24 bytes of data, the file has 19",
                assertThrows(IOException.class, () -> Npy.read(truncated)).getMessage());
        Path text = Files.writeString(dir.resolve("x.npy"), "hello, world");
        assertEquals(text + " is not a NumPy .npy file (it does not start with \\x93NUMPY)",
                assertThrows(IOException.class, () -> Npy.read(text)).getMessage());
        Path header = Files.write(dir.resolve("h.npy"), Arrays.copyOf(good, 20));
        assertTrue(assertThrows(IOException.class, () -> Npy.read(header)).getMessage()
                .startsWith(header + " is truncated: its header claims 118 bytes"));
    }
}
