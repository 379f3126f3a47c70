package dev.rewind.storage.file;

/**
 * A blocked Bloom filter over 64-bit hashes: each key sets {@value #K} bits inside one 512-bit block
 * (one cache line), so a probe costs one memory access. With {@value #BITS_PER_KEY} bits per key its
 * false-positive rate is about 1% ({@code BloomTest} measures it); it never answers "absent" for a key
 * that was added. In front of an index on disk it turns most look-ups of absent keys (a new stream, an
 * event id made by a command) into no I/O at all.
 */
final class Bloom {
    static final int BITS_PER_KEY = 10;
    static final int K = 7;
    private static final int BLOCK_WORDS = 8;

    final long[] words;
    private final int blocks;

    Bloom(long[] words) {
        this.words = words;
        this.blocks = words.length / BLOCK_WORDS;
    }

    /** @return an empty filter sized for {@code keys} keys */
    static Bloom forKeys(long keys) {
        long bits = Math.max(512, keys * BITS_PER_KEY);
        long blocks = (bits + 511) / 512;
        if (blocks * BLOCK_WORDS > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("too many keys for one filter: " + keys);
        }
        return new Bloom(new long[(int) (blocks * BLOCK_WORDS)]);
    }

    /** @return the number of words a filter for {@code keys} keys has */
    static int wordsFor(long keys) {
        long bits = Math.max(512, keys * BITS_PER_KEY);
        return (int) ((bits + 511) / 512 * BLOCK_WORDS);
    }

    void add(long hash) {
        int base = block(hash) * BLOCK_WORDS;
        long h = hash * 0x9E3779B97F4A7C15L;
        for (int i = 0; i < K; i++) {
            int bit = (int) (h >>> 55); // 9 bits: 0..511
            words[base + (bit >>> 6)] |= 1L << bit;
            h = Long.rotateLeft(h, 9) * 0xBF58476D1CE4E5B9L;
        }
    }

    boolean mayContain(long hash) {
        int base = block(hash) * BLOCK_WORDS;
        long h = hash * 0x9E3779B97F4A7C15L;
        for (int i = 0; i < K; i++) {
            int bit = (int) (h >>> 55);
            if ((words[base + (bit >>> 6)] & (1L << bit)) == 0) {
                return false;
            }
            h = Long.rotateLeft(h, 9) * 0xBF58476D1CE4E5B9L;
        }
        return true;
    }

    private int block(long hash) {
        return (int) (((hash >>> 32) * blocks) >>> 32);
    }

    /** A 64-bit hash of an event id (a finaliser of both halves). */
    static long hashId(long msb, long lsb) {
        return mix(msb ^ mix(lsb + 0x632BE59BD9B4E019L));
    }

    /**
     * The hash of stream ids; a test replaces it by one under which every name collides, to check that the
     * indexes tell colliding streams apart by their records.
     */
    private static final java.util.function.ToLongFunction<byte[]> DEFAULT = Bloom::fnv;
    static volatile java.util.function.ToLongFunction<byte[]> streamHash = DEFAULT;

    /** A 64-bit hash of a stream id's UTF-8 bytes. */
    static long hashStream(byte[] utf8) {
        return streamHash.applyAsLong(utf8);
    }

    private static long fnv(byte[] utf8) {
        long h = 0xCBF29CE484222325L;
        for (byte b : utf8) {
            h ^= b & 0xFF;
            h *= 0x100000001B3L;
        }
        return mix(h ^ utf8.length);
    }

    static long hashStream(String streamId) {
        if (streamHash == DEFAULT) {
            // the same value as over the UTF-8 bytes, without making them when every char is ASCII
            long h = 0xCBF29CE484222325L;
            int n = streamId.length();
            for (int i = 0; i < n; i++) {
                char c = streamId.charAt(i);
                if (c >= 0x80) {
                    return hashStream(streamId.getBytes(java.nio.charset.StandardCharsets.UTF_8));
                }
                h ^= c;
                h *= 0x100000001B3L;
            }
            return mix(h ^ n);
        }
        return hashStream(streamId.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
