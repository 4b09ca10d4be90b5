package dev.convj.runtime.model;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Reads and writes {@code .convj} model files. Layout (big-endian):
 * <pre>
 * "CONVJMDL"            8 bytes, magic
 * version               int32 (1)
 * payload length        int64
 * payload               architecture (UTF-8 with int32 length), metadata count + (key, value) pairs,
 *                       tensor count + (name, int32 length, float32 values) in order
 * SHA-256 of payload    32 bytes
 * </pre>
 * A save writes a temporary file beside the target, forces it to disk and renames it over the target in one
 * atomic step, so an interrupted save leaves the previous file as it was. A load checks the magic number, the
 * version, the length (truncation) and the checksum (corruption) before trusting a byte.
 */
public final class ModelFile {
    private ModelFile() {}

    public static final int VERSION = 1;
    private static final byte[] MAGIC = "CONVJMDL".getBytes(StandardCharsets.US_ASCII);
    private static final int HEADER = MAGIC.length + 4 + 8;
    private static final int CHECKSUM = 32;
    /** The largest payload one array holds. */
    private static final long MAX_PAYLOAD = Integer.MAX_VALUE - 8;

    /** Writes {@code model} to {@code file} atomically, replacing any previous file only once it is complete. */
    public static void save(Path file, SavedModel model) throws IOException {
        save(file, model, UnaryOperator.identity());
    }

    /** As {@link #save(Path, SavedModel)}, writing through {@code wrap} (tests use it to simulate a crash). */
    static void save(Path file, SavedModel model, UnaryOperator<OutputStream> wrap) throws IOException {
        byte[] payload = payload(model);
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, "." + file.getFileName() + ".", ".tmp");
        boolean done = false;
        try {
            try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.WRITE);
                 OutputStream raw = wrap.apply(java.nio.channels.Channels.newOutputStream(channel));
                 DataOutputStream out = new DataOutputStream(new java.io.BufferedOutputStream(raw, 1 << 16))) {
                out.write(MAGIC);
                out.writeInt(VERSION);
                out.writeLong(payload.length);
                out.write(payload);
                out.write(sha256(payload));
                out.flush();
                channel.force(true);
            }
            readableByAll(tmp);
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
            done = true;
        } finally {
            if (!done) {
                Files.deleteIfExists(tmp);
            }
        }
    }

    /** Temporary files are created owner-only; a saved model is rw-r--r-- like any other file written here. */
    private static void readableByAll(Path file) {
        try {
            Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        } catch (UnsupportedOperationException | IOException e) {
            // not a POSIX file system: keep the default
        }
    }

    /**
     * Reads a model file; a file that is not exactly what a save wrote is refused with a {@link ModelFileException}.
     * The header is read and checked before anything else, so a device ({@code /dev/zero}) or a huge file of
     * another kind is refused after 20 bytes rather than read whole; a tensor holding NaN or infinity is refused by
     * name.
     */
    public static SavedModel load(Path file) throws IOException {
        String where = file.toString();
        byte[] payload, stored;
        try (java.io.InputStream in = Files.newInputStream(file)) {
            byte[] head = in.readNBytes(HEADER);
            if (head.length < MAGIC.length || !Arrays.equals(Arrays.copyOf(head, MAGIC.length), MAGIC)) {
                throw new ModelFileException(where + ": not a ConvJ model file (it does not start with CONVJMDL)");
            }
            if (head.length < HEADER) {
                throw new ModelFileException(where + ": truncated: " + head.length + " bytes, shorter than the header");
            }
            ByteBuffer header = ByteBuffer.wrap(head, MAGIC.length, 12);
            int version = header.getInt();
            if (version != VERSION) {
                throw new ModelFileException(where + ": model file version " + version + "; this ConvJ reads version "
                        + VERSION);
            }
            long length = header.getLong();
            if (length < 0 || length > MAX_PAYLOAD) {
                throw new ModelFileException(where + ": the header promises " + length + " bytes of content; a model "
                        + "file holds at most " + MAX_PAYLOAD);
            }
            long expected = HEADER + length + CHECKSUM;
            // A regular file's size settles truncation and trailing bytes before a large array is allocated.
            long size = Files.isRegularFile(file) ? Files.size(file) : -1;
            if (size >= 0 && size < expected) {
                throw truncated(where, size, expected);
            }
            if (size > expected) {
                throw new ModelFileException(where + ": " + (size - expected) + " unexpected bytes after the end");
            }
            payload = in.readNBytes((int) length);
            stored = in.readNBytes(CHECKSUM);
            if (payload.length < length || stored.length < CHECKSUM) {
                throw truncated(where, HEADER + payload.length + stored.length, expected);
            }
            if (in.read() != -1) {
                throw new ModelFileException(where + ": unexpected bytes after the end");
            }
        }
        if (!MessageDigest.isEqual(stored, sha256(payload))) {
            throw new ModelFileException(where + ": corrupted: the SHA-256 checksum does not match the content");
        }
        SavedModel model;
        try {
            model = parse(payload);
        } catch (IOException | RuntimeException e) {
            throw new ModelFileException(where + ": malformed content despite a valid checksum: " + e.getMessage());
        }
        for (Map.Entry<String, float[]> e : model.weights().entrySet()) {
            float[] v = e.getValue();
            for (int i = 0; i < v.length; i++) {
                if (!Float.isFinite(v[i])) {
                    throw new ModelFileException(where + ": tensor " + e.getKey() + " holds " + v[i] + " at element " + i
                            + "; a model with non-finite weights cannot run");
                }
            }
        }
        return model;
    }

    private static ModelFileException truncated(String where, long size, long expected) {
        return new ModelFileException(where + ": truncated: " + size + " bytes, the header promises " + expected
                + "; the file was cut short (interrupted copy?) — save it again");
    }

    private static byte[] payload(SavedModel model) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        writeString(out, model.architecture());
        out.writeInt(model.metadata().size());
        for (Map.Entry<String, String> e : model.metadata().entrySet()) {
            writeString(out, e.getKey());
            writeString(out, e.getValue());
        }
        out.writeInt(model.weights().size());
        for (Map.Entry<String, float[]> e : model.weights().entrySet()) {
            writeString(out, e.getKey());
            float[] v = e.getValue();
            out.writeInt(v.length);
            ByteBuffer buf = ByteBuffer.allocate(v.length * 4);
            buf.asFloatBuffer().put(v);
            out.write(buf.array());
        }
        out.flush();
        return bytes.toByteArray();
    }

    private static SavedModel parse(byte[] payload) throws IOException {
        DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(payload));
        String architecture = readString(in);
        Map<String, String> metadata = new LinkedHashMap<>();
        int m = in.readInt();
        for (int i = 0; i < m; i++) {
            metadata.put(readString(in), readString(in));
        }
        Map<String, float[]> weights = new LinkedHashMap<>();
        int n = in.readInt();
        for (int i = 0; i < n; i++) {
            String name = readString(in);
            int len = in.readInt();
            if (len < 0 || (long) len * 4 > in.available()) {
                throw new IOException("tensor " + name + " claims " + len + " values");
            }
            byte[] raw = in.readNBytes(len * 4);
            float[] v = new float[len];
            ByteBuffer.wrap(raw).asFloatBuffer().get(v);
            weights.put(name, v);
        }
        if (in.available() != 0) {
            throw new IOException(in.available() + " bytes left after the last tensor");
        }
        return new SavedModel(architecture, weights, metadata);
    }

    private static void writeString(DataOutputStream out, String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(b.length);
        out.write(b);
    }

    private static String readString(DataInputStream in) throws IOException {
        int len = in.readInt();
        if (len < 0 || len > in.available()) {
            throw new IOException("a string claims " + len + " bytes");
        }
        return new String(in.readNBytes(len), StandardCharsets.UTF_8);
    }

    private static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
