package dev.rewind.storage.memory;

/**
 * Event id -> global position, as an open-addressing table (linear probing, at most half full). The
 * ids are not copied: a slot holds a 32-bit tag of the id's hash and {@code position + 1}, and the id
 * is read from the storage's id columns only when the tag matches. One cache miss per lookup on a
 * large store (the tag and the position share a slot), 16 bytes per event at most, against about 80
 * for a {@code HashMap<UUID, Integer>} entry with its UUID. Not thread-safe: the storage's lock guards it.
 */
final class IdIndex {
    private long[] slots = new long[1 << 11];
    private int shift = 64 - 11;
    private int count;

    /**
     * @param hi the id's most significant bits
     * @param lo the id's least significant bits
     * @param his the storage's column of most significant bits
     * @param los the storage's column of least significant bits
     * @return its position, or -1
     */
    int get(long hi, long lo, long[] his, long[] los) {
        int mask = slots.length - 1;
        long h = hash(hi, lo);
        long tag = h << 32;
        for (int i = (int) (h >>> shift); ; i = (i + 1) & mask) {
            long s = slots[i];
            if (s == 0) {
                return -1;
            }
            int p = (int) s - 1;
            if ((s & 0xFFFF_FFFF_0000_0000L) == tag && his[p] == hi && los[p] == lo) {
                return p;
            }
        }
    }

    /**
     * Adds an id that is not in the table yet.
     *
     * @param hi the id's most significant bits
     * @param lo the id's least significant bits
     * @param position its position (the columns hold it there already)
     * @param his the storage's column of most significant bits
     * @param los the storage's column of least significant bits
     */
    void add(long hi, long lo, int position, long[] his, long[] los) {
        if ((count + 1) * 2 > slots.length) {
            grow(his, los);
        }
        insert(hash(hi, lo), position);
        count++;
    }

    private void insert(long h, int position) {
        int mask = slots.length - 1;
        int i = (int) (h >>> shift);
        while (slots[i] != 0) {
            i = (i + 1) & mask;
        }
        slots[i] = (h << 32) | (position + 1L);
    }

    private void grow(long[] his, long[] los) {
        long[] old = slots;
        slots = new long[old.length * 2];
        shift--;
        for (long s : old) {
            if (s != 0) {
                int p = (int) s - 1;
                insert(hash(his[p], los[p]), p);
            }
        }
    }

    /** High bits pick the slot, low 32 bits are the tag. */
    private static long hash(long hi, long lo) {
        return (hi ^ lo) * 0x9E3779B97F4A7C15L;
    }
}
