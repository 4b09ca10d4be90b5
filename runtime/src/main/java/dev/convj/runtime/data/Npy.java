package dev.convj.runtime.data;

import dev.convj.runtime.AtomicFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * NumPy's {@code .npy} files (format versions 1.0 to 3.0): float32 and int64 arrays, little-endian, C order, as
 * {@code numpy.save} writes them. Anything else is refused with a message saying what the file holds and how to
 * convert it ({@code a.astype(np.float32)}, {@code np.ascontiguousarray(a)}). Writes are atomic ({@link AtomicFiles}).
 */
public final class Npy {
    private Npy() {}

    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};

    /** An array read from or written to a {@code .npy} file: its shape and either float or long values. */
    public record Array(int[] shape, float[] floats, long[] longs) {
        public Array {
            shape = shape.clone();
            if ((floats == null) == (longs == null)) {
                throw new IllegalArgumentException("an array holds either floats or longs");
            }
            long size = 1;
            for (int d : shape) {
                size *= d;
            }
            int n = floats != null ? floats.length : longs.length;
            if (size != n) {
                throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " holds " + size + " values, got "
                        + n);
            }
        }

        public static Array of(float[] values, int... shape) {
            return new Array(shape, values, null);
        }

        public static Array of(long[] values, int... shape) {
            return new Array(shape, null, values);
        }

        public int[] shape() {
            return shape.clone();
        }

        /** "float32" or "int64". */
        public String dtype() {
            return floats != null ? "float32" : "int64";
        }
    }

    /** Reads a float32 or int64 array; a file of another kind, or a damaged one, is refused naming the file. */
    public static Array read(Path file) throws IOException {
        long length = Files.size(file);
        if (length > Integer.MAX_VALUE - 8) {
            throw new IOException(file + " has " + length + " bytes, more than one Java array holds");
        }
        ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        byte[] magic = new byte[Math.min(6, bytes.remaining())];
        bytes.get(magic);
        if (bytes.remaining() < 4 || !Arrays.equals(magic, MAGIC)) {
            throw new IOException(file + " is not a NumPy .npy file (it does not start with \\x93NUMPY)");
        }
        int major = bytes.get(), minor = bytes.get();
        if (major < 1 || major > 3) {
            throw new IOException(file + ": .npy format version " + major + "." + minor
                    + " is not supported (1.0 to 3.0 are)");
        }
        long headerLength = major == 1 ? bytes.getShort() & 0xffff
                : bytes.remaining() >= 4 ? bytes.getInt() & 0xffffffffL : Long.MAX_VALUE;
        if (headerLength > bytes.remaining()) {
            throw new IOException(file + " is truncated: its header claims " + headerLength + " bytes");
        }
        byte[] headerBytes = new byte[(int) headerLength];
        bytes.get(headerBytes);
        Header h = Header.parse(file, new String(headerBytes,
                major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1));
        long count = 1;
        for (int d : h.shape) {
            count *= d;
        }
        if (count * h.itemSize > bytes.remaining()) {
            throw new IOException(file + " is truncated: shape " + Arrays.toString(h.shape) + " of '" + h.descr
                    + "' needs " + count * h.itemSize + " bytes of data, the file has " + bytes.remaining());
        }
        if (h.itemSize == 4) {
            float[] values = new float[(int) count];
            bytes.asFloatBuffer().get(values);
            return Array.of(values, h.shape);
        }
        long[] values = new long[(int) count];
        bytes.asLongBuffer().get(values);
        return Array.of(values, h.shape);
    }

    /** Writes {@code array} as a version 1.0 file, atomically (a temporary file renamed into place). */
    public static void write(Path file, Array array) throws IOException {
        StringBuilder shape = new StringBuilder("(");
        for (int d : array.shape) {
            shape.append(d).append(", ");
        }
        if (array.shape.length > 1) {
            shape.setLength(shape.length() - 2);
        } else if (array.shape.length == 1) {
            shape.setLength(shape.length() - 1);
        }
        shape.append(')');
        String dict = "{'descr': '" + (array.floats != null ? "<f4" : "<i8") + "', 'fortran_order': False, 'shape': "
                + shape + ", }";
        int unpadded = 10 + dict.length() + 1;
        int total = (unpadded + 63) / 64 * 64; // numpy aligns the data to 64 bytes
        String header = dict + " ".repeat(total - unpadded) + "\n";
        int itemSize = array.floats != null ? 4 : 8;
        int count = array.floats != null ? array.floats.length : array.longs.length;
        ByteBuffer out = ByteBuffer.allocate(total + count * itemSize).order(ByteOrder.LITTLE_ENDIAN);
        out.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) header.length());
        out.put(header.getBytes(StandardCharsets.ISO_8859_1));
        if (array.floats != null) {
            out.asFloatBuffer().put(array.floats);
        } else {
            out.asLongBuffer().put(array.longs);
        }
        AtomicFiles.write(file, out.array());
    }

    /** The header's three fields. */
    private record Header(String descr, int itemSize, int[] shape) {
        private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
        private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
        private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

        static Header parse(Path file, String text) throws IOException {
            Matcher descr = DESCR.matcher(text), fortran = FORTRAN.matcher(text), shape = SHAPE.matcher(text);
            if (!descr.find() || !fortran.find() || !shape.find()) {
                throw new IOException(file + ": the .npy header is damaged: " + text.strip());
            }
            String d = descr.group(1);
            int itemSize;
            switch (d) {
                case "<f4":
                    itemSize = 4;
                    break;
                case "<i8":
                    itemSize = 8;
                    break;
                default:
                    throw new IOException(file + " holds " + describe(d) + "; ConvJ reads float32 and int64 arrays "
                            + "(little-endian): save a.astype(np.float32) or a.astype(np.int64)");
            }
            if (fortran.group(1).equals("True")) {
                throw new IOException(file + " is in Fortran (column-major) order; save np.ascontiguousarray(a)");
            }
            List<Integer> dims = new ArrayList<>();
            for (String part : shape.group(1).split(",")) {
                String p = part.strip();
                if (!p.isEmpty()) {
                    try {
                        dims.add(Integer.parseInt(p.replace("L", "")));
                    } catch (NumberFormatException e) {
                        throw new IOException(file + ": the .npy header's shape is damaged: (" + shape.group(1) + ")");
                    }
                }
            }
            if (dims.stream().anyMatch(x -> x < 0)) {
                throw new IOException(file + ": the .npy header's shape has a negative size: (" + shape.group(1) + ")");
            }
            return new Header(d, itemSize, dims.stream().mapToInt(Integer::intValue).toArray());
        }

        private static String describe(String descr) {
            String kind = switch (descr.isEmpty() ? ' ' : descr.charAt(descr.length() > 1 ? 1 : 0)) {
                case 'f' -> "floats";
                case 'i' -> "integers";
                case 'u' -> "unsigned integers";
                case 'b' -> "booleans";
                case 'c' -> "complex numbers";
                default -> "values";
            };
            String order = descr.startsWith(">") ? ", big-endian" : "";
            return String.format(Locale.ROOT, "%s of dtype '%s'%s", kind, descr, order);
        }
    }
}
