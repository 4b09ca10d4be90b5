package dev.convj.runtime.data;

import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

/** Writes IDX files of unsigned bytes, gzip-compressed when the name ends in {@code .gz}. */
public final class IdxWriter {
    private IdxWriter() {}

    /** Writes a dataset's images ([n, rows, cols], pixels ×255 rounded back to bytes) and its labels ([n]). */
    public static void write(Dataset data, Path images, Path labels) throws IOException {
        if (data.channels() != 1) {
            throw new IllegalArgumentException("IDX image files hold one channel; " + data.name() + " has "
                    + data.channels());
        }
        int n = data.size(), per = data.imageSize();
        byte[] pixels = new byte[n * per];
        byte[] y = new byte[n];
        for (int i = 0; i < n; i++) {
            float[] img = data.image(i);
            for (int j = 0; j < per; j++) {
                pixels[i * per + j] = (byte) Math.round(img[j] * 255);
            }
            y[i] = (byte) data.label(i);
        }
        write(images, new int[] {n, data.height(), data.width()}, pixels);
        write(labels, new int[] {n}, y);
    }

    /** Writes {@code values} with dimensions {@code dims}. */
    public static void write(Path file, int[] dims, byte[] values) throws IOException {
        long size = 1;
        for (int d : dims) {
            size *= d;
        }
        if (size != values.length) {
            throw new IllegalArgumentException("dimensions promise " + size + " values, got " + values.length);
        }
        try (OutputStream raw = Files.newOutputStream(file);
             OutputStream z = file.toString().endsWith(".gz") ? new GZIPOutputStream(raw, 1 << 16) : raw;
             DataOutputStream out = new DataOutputStream(new BufferedOutputStream(z, 1 << 16))) {
            out.writeInt((0x08 << 8) | dims.length);
            for (int d : dims) {
                out.writeInt(d);
            }
            out.write(values);
        }
    }
}
