package dev.convj.runtime.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxReaderTest {

    @TempDir
    Path dir;

    static byte[] idx(int magic, int[] dims, int values) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(magic);
        for (int d : dims) {
            out.writeInt(d);
        }
        for (int i = 0; i < values; i++) {
            out.writeByte(i * 7);
        }
        return bytes.toByteArray();
    }

    static byte[] gzip(byte[] raw) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream z = new GZIPOutputStream(bytes)) {
            z.write(raw);
        }
        return bytes.toByteArray();
    }

    private Path write(String name, byte[] content) throws IOException {
        return Files.write(dir.resolve(name), content);
    }

    @Test
    void readsRawAndGzipImagesAndLabels() throws IOException {
        byte[] images = idx(0x803, new int[] {3, 2, 4}, 24);
        IdxArray raw = IdxReader.readImages(write("img", images));
        IdxArray zipped = IdxReader.readImages(write("img.gz", gzip(images)));
        assertArrayEquals(new int[] {3, 2, 4}, raw.dims());
        assertEquals(3, raw.count());
        assertEquals(24, raw.length());
        assertEquals(7 * 23 & 0xFF, raw.get(23), "values are unsigned bytes");
        for (int i = 0; i < 24; i++) {
            assertEquals(raw.get(i), zipped.get(i));
        }
        IdxArray labels = IdxReader.readLabels(write("lab.gz", gzip(idx(0x801, new int[] {3}, 3))));
        assertArrayEquals(new int[] {3}, labels.dims());
    }

    @Test
    void datasetNormalizesPixelsAndChecksCounts() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(b);
        out.writeInt(0x803);
        out.writeInt(2);
        out.writeInt(1);
        out.writeInt(2);
        out.write(new byte[] {0, (byte) 255, (byte) 51, 102});
        IdxArray images = IdxReader.readImages(write("i", b.toByteArray()));
        ByteArrayOutputStream l = new ByteArrayOutputStream();
        DataOutputStream lo = new DataOutputStream(l);
        lo.writeInt(0x801);
        lo.writeInt(2);
        lo.write(new byte[] {3, 9});
        Dataset d = Dataset.fromIdx("tiny", images, IdxReader.readLabels(write("l", l.toByteArray())), 10);
        assertEquals("[0.0, 1.0, 0.2, 0.4]", Arrays.toString(new float[] {d.image(0)[0], d.image(0)[1], d.image(1)[0],
                d.image(1)[1]}));
        assertEquals(9, d.label(1));

        IdxArray threeLabels = IdxReader.readLabels(write("l3", idx(0x801, new int[] {3}, 3)));
        IdxFormatException e = assertThrows(IdxFormatException.class, () -> Dataset.fromIdx("tiny", images, threeLabels, 30));
        assertEquals("tiny: 2 images but 3 labels", e.getMessage());
    }

    @Test
    void rejectsBadMagic() throws IOException {
        Path labelsAsImages = write("labels", idx(0x801, new int[] {3}, 3));
        IdxFormatException e = assertThrows(IdxFormatException.class, () -> IdxReader.readImages(labelsAsImages));
        assertEquals(labelsAsImages + ": bad magic number 0x00000801, expected 0x00000803 (unsigned bytes, rank 3: an "
                + "image file)", e.getMessage());
        Path png = write("x.png", new byte[] {(byte) 0x89, 'P', 'N', 'G', 0, 0, 0, 0});
        assertTrue(assertThrows(IdxFormatException.class, () -> IdxReader.readLabels(png)).getMessage()
                .contains("bad magic number 0x89504E47"));
        Path floats = write("f", idx(0x0D01, new int[] {3}, 12));
        assertTrue(assertThrows(IdxFormatException.class, () -> IdxReader.readLabels(floats)).getMessage()
                .contains("bad magic number 0x00000D01"));
    }

    @Test
    void rejectsTruncatedData() throws IOException {
        byte[] full = idx(0x803, new int[] {10, 28, 28}, 10 * 784);
        Path cut = write("cut", Arrays.copyOf(full, full.length - 100));
        assertEquals(cut + ": truncated: the header promises 7840 values ([10, 28, 28]) but the file holds 7740",
                assertThrows(IdxFormatException.class, () -> IdxReader.readImages(cut)).getMessage());
        Path cutGz = write("cut.gz", gzip(Arrays.copyOf(full, full.length - 1)));
        assertTrue(assertThrows(IdxFormatException.class, () -> IdxReader.readImages(cutGz)).getMessage()
                .contains("truncated"));
        Path header = write("h", Arrays.copyOf(full, 9));
        assertEquals(header + ": truncated header: 1 of 3 dimensions present",
                assertThrows(IdxFormatException.class, () -> IdxReader.readImages(header)).getMessage());
        Path empty = write("e", new byte[0]);
        assertTrue(assertThrows(IdxFormatException.class, () -> IdxReader.readImages(empty)).getMessage()
                .contains("empty"));
    }

    @Test
    void rejectsSizeMismatchWithTrailingData() throws IOException {
        Path longer = write("long", idx(0x801, new int[] {3}, 5));
        assertEquals(longer + ": 3 values expected for dimensions [3], but more data follows",
                assertThrows(IdxFormatException.class, () -> IdxReader.readLabels(longer)).getMessage());
    }

    @Test
    void missingFileAndMissingSet() {
        assertThrows(java.nio.file.NoSuchFileException.class, () -> IdxReader.readImages(dir.resolve("none")));
        assertTrue(!FashionMnist.isPresent(dir));
        assertThrows(java.nio.file.NoSuchFileException.class, () -> FashionMnist.load(dir));
    }

    @Test
    void writerRoundTrips() throws IOException {
        Dataset d = new Dataset("d", new float[] {0, 1, 0.2f, 0.4f, 0.6f, 0.8f}, new int[] {1, 0, 2}, 1, 1, 2, 3);
        IdxWriter.write(d, dir.resolve("i.gz"), dir.resolve("l.gz"));
        Dataset back = Dataset.fromIdx("d", IdxReader.readImages(dir.resolve("i.gz")),
                IdxReader.readLabels(dir.resolve("l.gz")), 3);
        for (int i = 0; i < 3; i++) {
            assertArrayEquals(d.image(i), back.image(i));
            assertEquals(d.label(i), back.label(i));
        }
    }

    @Test
    void corruptedOrTruncatedGzipNamesTheFile() throws IOException {
        byte[] zipped = gzip(idx(0x803, new int[] {50, 28, 28}, 50 * 28 * 28));
        Path truncated = write("cut.gz", Arrays.copyOf(zipped, zipped.length / 2));
        IdxFormatException cut = assertThrows(IdxFormatException.class, () -> IdxReader.readImages(truncated));
        assertEquals(truncated + ": corrupted or truncated gzip data (Unexpected end of ZLIB input stream)",
                cut.getMessage());
        byte[] flipped = zipped.clone();
        flipped[flipped.length - 6] ^= 0x55;   // inside the CRC-32 of the trailer
        Path bad = write("bad.gz", flipped);
        IdxFormatException crc = assertThrows(IdxFormatException.class, () -> IdxReader.readImages(bad));
        assertEquals(bad + ": corrupted or truncated gzip data (Corrupt GZIP trailer)", crc.getMessage());
    }
}
