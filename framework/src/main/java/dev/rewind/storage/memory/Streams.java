package dev.rewind.storage.memory;

import java.util.Arrays;

/**
 * The in-memory storage's streams, in arrays only: stream id -> stream number through an
 * open-addressing table, and each stream's global positions in chunks of one shared {@code int}
 * arena. A new stream costs no object besides its id (which the storage keeps anyway), so a store
 * with a stream per aggregate leaves nothing for a young collection to copy, and growing the table
 * rehashes from a column of hash codes without touching any id.
 *
 * <p>A chunk is {@code [next chunk, capacity, positions...]}; chunks at least double the stream's
 * capacity up to 4096 positions, so finding version {@code v} walks O(log v + v / 4096) chunks.
 * Not thread-safe: the storage's lock guards it.
 */
final class Streams {
    private static final int MAX_CHUNK = 4096;

    private String[] idOf = new String[256];
    private int[] countOf = new int[256];
    private int[] firstChunkOf = new int[256];
    private int[] lastChunkOf = new int[256];
    /** How many positions the stream's last chunk holds. */
    private int[] lastUsedOf = new int[256];
    private int streamCount;

    /** Slot -> stream number + 1 (0: empty); at most half full. */
    private int[] slots = new int[512];
    private int[] hashOf = new int[512];

    /** Offset 0 is never a chunk, so 0 means "no next chunk". */
    private int[] arena = new int[1 << 12];
    private int arenaSize = 1;

    /**
     * @param id a stream id
     * @return its stream number, or -1
     */
    int find(String id) {
        int h = hash(id);
        int mask = slots.length - 1;
        for (int i = h & mask; ; i = (i + 1) & mask) {
            int s = slots[i];
            if (s == 0) {
                return -1;
            }
            if (hashOf[i] == h && idOf[s - 1].equals(id)) {
                return s - 1;
            }
        }
    }

    /**
     * @param id a stream id not known yet
     * @return its new stream number (no events yet)
     */
    int create(String id) {
        if (streamCount == idOf.length) {
            int c = streamCount * 2;
            idOf = Arrays.copyOf(idOf, c);
            countOf = Arrays.copyOf(countOf, c);
            firstChunkOf = Arrays.copyOf(firstChunkOf, c);
            lastChunkOf = Arrays.copyOf(lastChunkOf, c);
            lastUsedOf = Arrays.copyOf(lastUsedOf, c);
        }
        if ((streamCount + 1) * 2 > slots.length) {
            grow();
        }
        int s = streamCount++;
        idOf[s] = id;
        insert(hash(id), s);
        return s;
    }

    /** @return the id of stream {@code s}, the one instance the storage shares among its events */
    String id(int s) {
        return idOf[s];
    }

    /** @return how many events stream {@code s} holds */
    int count(int s) {
        return countOf[s];
    }

    /**
     * Adds the next {@code n} positions of stream {@code s}: {@code first, first + 1, ...}.
     */
    void add(int s, int first, int n) {
        int count = countOf[s];
        int chunk = lastChunkOf[s];
        int used = lastUsedOf[s];
        for (int i = 0; i < n; i++) {
            if (chunk == 0 || used == arena[chunk + 1]) {
                int next = newChunk(Math.max(count, n - i));
                if (chunk == 0) {
                    firstChunkOf[s] = next;
                } else {
                    arena[chunk] = next;
                }
                chunk = next;
                used = 0;
            }
            arena[chunk + 2 + used++] = first + i;
            count++;
        }
        countOf[s] = count;
        lastChunkOf[s] = chunk;
        lastUsedOf[s] = used;
    }

    /**
     * Copies positions of stream {@code s} from version {@code from} (inclusive) to {@code to}
     * (exclusive) into {@code out} from index 0.
     */
    void positions(int s, int from, int to, int[] out) {
        int chunk = firstChunkOf[s];
        int base = 0; // the version of the chunk's first position
        while (from >= base + arena[chunk + 1]) {
            base += arena[chunk + 1];
            chunk = arena[chunk];
        }
        int k = 0;
        for (int v = from; v < to; v++) {
            if (v - base == arena[chunk + 1]) {
                base += arena[chunk + 1];
                chunk = arena[chunk];
            }
            out[k++] = arena[chunk + 2 + v - base];
        }
    }

    private int newChunk(int atLeast) {
        int capacity = Math.min(MAX_CHUNK, Math.max(8, Integer.highestOneBit(Math.max(1, atLeast) * 2 - 1)));
        int need = arenaSize + 2 + capacity;
        if (need > arena.length) {
            arena = Arrays.copyOf(arena, Math.max(need, arena.length * 2));
        }
        int chunk = arenaSize;
        arena[chunk] = 0;
        arena[chunk + 1] = capacity;
        arenaSize = need;
        return chunk;
    }

    private void insert(int h, int s) {
        int mask = slots.length - 1;
        int i = h & mask;
        while (slots[i] != 0) {
            i = (i + 1) & mask;
        }
        slots[i] = s + 1;
        hashOf[i] = h;
    }

    /** Rehashes from the stored hash codes: no stream id is read. */
    private void grow() {
        int[] oldSlots = slots;
        int[] oldHash = hashOf;
        slots = new int[oldSlots.length * 2];
        hashOf = new int[oldSlots.length * 2];
        for (int i = 0; i < oldSlots.length; i++) {
            if (oldSlots[i] != 0) {
                insert(oldHash[i], oldSlots[i] - 1);
            }
        }
    }

    private static int hash(String id) {
        int h = id.hashCode() * 0x9E3779B9;
        return h ^ (h >>> 16);
    }
}
