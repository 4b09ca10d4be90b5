package dev.convj.runtime.data;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * Reads IDX files, the MNIST format: a magic number {@code 0x00 0x00 type rank}, {@code rank} big-endian int32
 * dimensions, then the values. Only unsigned bytes (type 0x08) are read, as MNIST and Fashion-MNIST use. Files
 * compressed with gzip are recognized by their first two bytes. Every inconsistency is an
 * {@link IdxFormatException} naming the file and the numbers.
 */
public final class IdxReader {
    private IdxReader() {}

    /** The magic number of label files (rank 1). */
    public static final int LABELS_MAGIC = 0x00000801;
    /** The magic number of image files (rank 3). */
    public static final int IMAGES_MAGIC = 0x00000803;

    private static final int UNSIGNED_BYTE = 0x08;

    /** Reads a file of images, [count, rows, columns]. */
    public static IdxArray readImages(Path file) throws IOException {
        return read(file, 3);
    }

    /** Reads a file of labels, [count]. */
    public static IdxArray readLabels(Path file) throws IOException {
        return read(file, 1);
    }

    /** Reads a file whose rank must be {@code expectedRank}. */
    public static IdxArray read(Path file, int expectedRank) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null, "no such IDX file");
        }
        try (InputStream in = Files.newInputStream(file)) {
            return read(in, file.toString(), expectedRank);
        }
    }

    /** Reads from a stream (raw or gzip) that {@code source} names in error messages. */
    public static IdxArray read(InputStream raw, String source, int expectedRank) throws IOException {
        try {
            return readUnchecked(raw, source, expectedRank);
        } catch (IdxFormatException e) {
            throw e;
        } catch (java.util.zip.ZipException | EOFException e) {
            // gzip's own messages ("Unexpected end of ZLIB input stream", "invalid stored block lengths") name no file.
            throw new IdxFormatException(source + ": corrupted or truncated gzip data (" + e.getMessage() + ")");
        }
    }

    private static IdxArray readUnchecked(InputStream raw, String source, int expectedRank) throws IOException {
        BufferedInputStream buffered = new BufferedInputStream(raw, 1 << 16);
        buffered.mark(2);
        int b0 = buffered.read(), b1 = buffered.read();
        buffered.reset();
        InputStream in = b0 == 0x1f && b1 == 0x8b ? new BufferedInputStream(new GZIPInputStream(buffered), 1 << 16)
                : buffered;
        DataInputStream data = new DataInputStream(in);
        int magic;
        try {
            magic = data.readInt();
        } catch (EOFException e) {
            throw new IdxFormatException(source + ": empty or shorter than an IDX header (4 bytes)");
        }
        int expectedMagic = (UNSIGNED_BYTE << 8) | expectedRank;
        if ((magic >>> 16) != 0 || ((magic >>> 8) & 0xFF) != UNSIGNED_BYTE || (magic & 0xFF) != expectedRank) {
            throw new IdxFormatException(String.format("%s: bad magic number 0x%08X, expected 0x%08X (unsigned bytes, "
                    + "rank %d%s)", source, magic, expectedMagic, expectedRank,
                    expectedRank == 1 ? ": a label file" : expectedRank == 3 ? ": an image file" : ""));
        }
        int[] dims = new int[expectedRank];
        long size = 1;
        for (int i = 0; i < expectedRank; i++) {
            try {
                dims[i] = data.readInt();
            } catch (EOFException e) {
                throw new IdxFormatException(source + ": truncated header: " + i + " of " + expectedRank
                        + " dimensions present");
            }
            if (dims[i] < 0 || (i > 0 && dims[i] == 0)) {
                throw new IdxFormatException(source + ": dimension " + i + " is " + dims[i]);
            }
            size *= dims[i];
        }
        if (size > Integer.MAX_VALUE - 8) {
            throw new IdxFormatException(source + ": " + size + " values do not fit one array");
        }
        byte[] values = new byte[(int) size];
        int read = data.readNBytes(values, 0, values.length);
        if (read < values.length) {
            throw new IdxFormatException(String.format("%s: truncated: the header promises %d values (%s) but the "
                    + "file holds %d", source, size, java.util.Arrays.toString(dims), read));
        }
        if (data.read() != -1) {
            throw new IdxFormatException(source + ": " + size + " values expected for dimensions "
                    + java.util.Arrays.toString(dims) + ", but more data follows");
        }
        return new IdxArray(dims, values);
    }
}
