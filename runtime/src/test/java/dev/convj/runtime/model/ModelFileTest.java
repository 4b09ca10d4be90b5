package dev.convj.runtime.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelFileTest {

    @TempDir
    Path dir;

    static SavedModel sample(long seed) {
        Random r = new Random(seed);
        Map<String, float[]> w = new LinkedHashMap<>();
        float[] a = new float[1000];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) r.nextGaussian();
        }
        a[0] = Float.MIN_VALUE;
        a[1] = -0.0f;
        a[2] = Float.MAX_VALUE;
        w.put("conv1.weight", a);
        w.put("conv1.bias", new float[] {1, 2, 3});
        return new SavedModel("convj-network 1\ninput [1, 28, 28]\nloss none — ünïcode\n", w,
                Map.of("epochs", "5"));
    }

    @Test
    void roundTripIsBitForBit() throws IOException {
        Path f = dir.resolve("m.convj");
        SavedModel m = sample(1);
        ModelFile.save(f, m);
        SavedModel back = ModelFile.load(f);
        assertEquals(m.architecture(), back.architecture());
        assertEquals(m.metadata(), back.metadata());
        assertEquals(List.copyOf(m.weights().keySet()), List.copyOf(back.weights().keySet()));
        for (String k : m.weights().keySet()) {
            float[] a = m.weights().get(k), b = back.weights().get(k);
            assertEquals(a.length, b.length);
            for (int i = 0; i < a.length; i++) {
                assertEquals(Float.floatToRawIntBits(a[i]), Float.floatToRawIntBits(b[i]), k + "[" + i + "]");
            }
        }
    }

    @Test
    void corruptedFileIsRefused() throws IOException {
        Path f = dir.resolve("m.convj");
        ModelFile.save(f, sample(1));
        byte[] bytes = Files.readAllBytes(f);
        bytes[bytes.length / 2] ^= 0x10;
        Files.write(f, bytes);
        ModelFileException e = assertThrows(ModelFileException.class, () -> ModelFile.load(f));
        assertEquals(f + ": corrupted: the SHA-256 checksum does not match the content", e.getMessage());
    }

    @Test
    void truncatedFileIsRefused() throws IOException {
        Path f = dir.resolve("m.convj");
        ModelFile.save(f, sample(1));
        byte[] bytes = Files.readAllBytes(f);
        Files.write(f, Arrays.copyOf(bytes, bytes.length - 7));
        ModelFileException e = assertThrows(ModelFileException.class, () -> ModelFile.load(f));
        assertTrue(e.getMessage().startsWith(f + ": truncated: " + (bytes.length - 7) + " bytes, the header promises "
                + bytes.length), e.getMessage());
        Files.write(f, Arrays.copyOf(bytes, 10));
        assertTrue(assertThrows(ModelFileException.class, () -> ModelFile.load(f)).getMessage().contains("truncated"));
    }

    @Test
    void otherFilesAndVersionsAreRefused() throws IOException {
        Path f = dir.resolve("notes.txt");
        Files.writeString(f, "hello, not a model");
        assertEquals(f + ": not a ConvJ model file (it does not start with CONVJMDL)",
                assertThrows(ModelFileException.class, () -> ModelFile.load(f)).getMessage());
        Path g = dir.resolve("future.convj");
        ModelFile.save(g, sample(1));
        byte[] bytes = Files.readAllBytes(g);
        bytes[11] = 9; // version 1 → 9
        Files.write(g, bytes);
        assertEquals(g + ": model file version 9; this ConvJ reads version 1",
                assertThrows(ModelFileException.class, () -> ModelFile.load(g)).getMessage());
    }

    /** A stream that dies after {@code limit} bytes, as a crash or a full disk would stop a save. */
    static final class Dying extends FilterOutputStream {
        private long left;

        Dying(OutputStream out, long limit) {
            super(out);
            this.left = limit;
        }

        @Override
        public void write(int b) throws IOException {
            if (left-- <= 0) {
                throw new IOException("simulated crash");
            }
            out.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            for (int i = 0; i < len; i++) {
                write(b[off + i]);
            }
        }
    }

    @Test
    void interruptedSaveLeavesThePreviousFileIntact() throws IOException {
        Path f = dir.resolve("m.convj");
        ModelFile.save(f, sample(1));
        byte[] before = Files.readAllBytes(f);
        for (long cut : new long[] {0, 5, 100, before.length / 2, before.length - 1}) {
            IOException e = assertThrows(IOException.class,
                    () -> ModelFile.save(f, sample(2), out -> new Dying(out, cut)));
            assertEquals("simulated crash", e.getMessage());
            assertArrayEquals(before, Files.readAllBytes(f), "cut after " + cut + " bytes");
            try (Stream<Path> files = Files.list(dir)) {
                assertEquals(List.of(f), files.toList(), "no temporary file is left behind");
            }
        }
        assertEquals(sample(1).architecture(), ModelFile.load(f).architecture());
        ModelFile.save(f, sample(2));
        assertEquals(1000, ModelFile.load(f).weights().get("conv1.weight").length);
    }

    @Test
    void devicesAndHugeFilesAreRefusedAfterTheHeader() throws IOException {
        Path zero = Path.of("/dev/zero");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.exists(zero));
        assertEquals("/dev/zero: not a ConvJ model file (it does not start with CONVJMDL)",
                assertThrows(ModelFileException.class, () -> ModelFile.load(zero)).getMessage());
        Path huge = dir.resolve("huge.convj");
        try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(huge.toFile(), "rw")) {
            f.write("CONVJMDL".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            f.writeInt(1);
            f.writeLong(3L << 30);
            f.setLength((3L << 30) + 52);   // sparse: no disk is used
        }
        assertEquals(huge + ": the header promises 3221225472 bytes of content; a model file holds at most 2147483639",
                assertThrows(ModelFileException.class, () -> ModelFile.load(huge)).getMessage());
        try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(huge.toFile(), "rw")) {
            f.seek(12);
            f.writeLong(1L << 30);
            f.setLength(1000);
        }
        assertEquals(huge + ": truncated: 1000 bytes, the header promises 1073741876; the file was cut short "
                + "(interrupted copy?) — save it again",
                assertThrows(ModelFileException.class, () -> ModelFile.load(huge)).getMessage());
    }

    @Test
    void nonFiniteWeightsAreRefusedOnLoadByName() throws IOException {
        Path f = dir.resolve("nan.convj");
        SavedModel m = sample(1);
        m.weights().get("conv1.bias")[1] = Float.NaN;
        ModelFile.save(f, m);
        assertEquals(f + ": tensor conv1.bias holds NaN at element 1; a model with non-finite weights cannot run",
                assertThrows(ModelFileException.class, () -> ModelFile.load(f)).getMessage());
    }
}
