package dev.convj.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class Murmur3Test {

    private static String hash(String s) {
        return Murmur3.hex128(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void matchesTheReferenceVectors() {
        // Published MurmurHash3_x64_128 vectors (seed 0), as Guava's murmur3_128 prints them.
        assertEquals("00000000000000000000000000000000", hash(""));
        assertEquals("029bbd41b3a7d8cb191dae486a901e5b", hash("hello"));
        assertEquals("6778ad3f3f3f96b4522dca264174a23b", hash("abc"));
        assertEquals("6c1b07bc7bbc4be347939ac4a93c437a", hash("The quick brown fox jumps over the lazy dog"));
        assertEquals("9a2685ff70a98c653e5c8ea6eae3fe43", hash("The quick brown fox jumps over the lazy cog"));
    }

    @Test
    void everyTailLengthReachesTheHash() {
        // Lengths 16..32 exercise every tail size after a full block; one changed byte must change the hash.
        StringBuilder s = new StringBuilder("0123456789abcdef");
        for (int extra = 0; extra <= 16; extra++) {
            String base = s.toString();
            for (int at = 0; at < base.length(); at++) {
                char[] changed = base.toCharArray();
                changed[at] ^= 1;
                assertNotEquals(hash(base), hash(new String(changed)), "length " + base.length() + ", byte " + at);
            }
            s.append((char) ('g' + extra));
        }
    }
}
