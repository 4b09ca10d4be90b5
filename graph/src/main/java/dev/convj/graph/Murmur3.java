package dev.convj.graph;

/**
 * MurmurHash3 x64 128-bit (Austin Appleby's public-domain hash, seed 0), as Guava's {@code Hashing.murmur3_128()}
 * computes it. ConvJ keys its compile caches with it rather than SHA-256: the first {@code MessageDigest} of a
 * process costs tens of milliseconds of provider start-up, and a fresh JVM hitting the disk cache should not pay
 * that. A cache key needs spread and stability, not resistance to an adversary.
 */
public final class Murmur3 {
    private Murmur3() {}

    private static final long C1 = 0x87c37b91114253d5L;
    private static final long C2 = 0x4cf5ad432745937fL;

    /** The 16 bytes of the hash (h1 then h2, each little-endian) as 32 lowercase hex digits. */
    public static String hex128(byte[] data) {
        long h1 = 0, h2 = 0;
        int blocks = data.length / 16;
        for (int i = 0; i < blocks; i++) {
            long k1 = littleEndian(data, 16 * i, 8), k2 = littleEndian(data, 16 * i + 8, 8);
            h1 ^= mixK1(k1);
            h1 = Long.rotateLeft(h1, 27) + h2;
            h1 = h1 * 5 + 0x52dce729;
            h2 ^= mixK2(k2);
            h2 = Long.rotateLeft(h2, 31) + h1;
            h2 = h2 * 5 + 0x38495ab5;
        }
        int tail = 16 * blocks, rest = data.length - tail;
        if (rest > 8) {
            h2 ^= mixK2(littleEndian(data, tail + 8, rest - 8));
        }
        if (rest > 0) {
            h1 ^= mixK1(littleEndian(data, tail, Math.min(rest, 8)));
        }
        h1 ^= data.length;
        h2 ^= data.length;
        h1 += h2;
        h2 += h1;
        h1 = fmix(h1);
        h2 = fmix(h2);
        h1 += h2;
        h2 += h1;
        StringBuilder hex = new StringBuilder(32);
        appendLittleEndian(hex, h1);
        appendLittleEndian(hex, h2);
        return hex.toString();
    }

    /** Up to 8 bytes from {@code at}, the first one lowest. */
    private static long littleEndian(byte[] data, int at, int count) {
        long v = 0;
        for (int i = count - 1; i >= 0; i--) {
            v = v << 8 | (data[at + i] & 0xffL);
        }
        return v;
    }

    private static long mixK1(long k1) {
        return Long.rotateLeft(k1 * C1, 31) * C2;
    }

    private static long mixK2(long k2) {
        return Long.rotateLeft(k2 * C2, 33) * C1;
    }

    private static long fmix(long k) {
        k ^= k >>> 33;
        k *= 0xff51afd7ed558ccdL;
        k ^= k >>> 33;
        k *= 0xc4ceb9fe1a85ec53L;
        return k ^ k >>> 33;
    }

    private static void appendLittleEndian(StringBuilder hex, long v) {
        for (int i = 0; i < 8; i++, v >>>= 8) {
            hex.append(Character.forDigit((int) (v >>> 4 & 0xf), 16)).append(Character.forDigit((int) (v & 0xf), 16));
        }
    }
}
