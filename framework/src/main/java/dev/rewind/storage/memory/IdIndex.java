package dev.rewind.storage.memory;

import java.util.UUID;

/**
 * Event id -> global position, as an open-addressing table (linear probing, at most half full). The
 * ids are not copied: a slot holds a 32-bit tag of the id's hash and {@code position + 1}, and the id
 * is read from the storage's id column only when the tag matches. One cache miss per lookup on a
 * large store (the tag and the position share a slot), 16 bytes per event at most, against about 80
 * for a {@code HashMap<UUID, Integer>} entry with its UUID. Not thread-safe: the storage's lock guards it.
 */
final class IdIndex {
    private long[] slots = new long[1 << 11];
    private int shift = 64 - 11;
    private int count;

    /**
     * @param id an event id
     * @param idOf the storage's column of ids
     * @return its position, or -1
     */
    int get(UUID id, UUID[] idOf) {
        int mask = slots.length - 1;
        long h = hash(id);
        long tag = h << 32;
        for (int i = (int) (h >>> shift); ; i = (i + 1) & mask) {
            long s = slots[i];
            if (s == 0) {
                return -1;
            }
            int p = (int) s - 1;
            if ((s & 0xFFFF_FFFF_0000_0000L) == tag && idOf[p].equals(id)) {
                return p;
            }
        }
    }

    /**
     * Adds an id that is not in the table yet.
     *
     * @param id the id
     * @param position its position (the column holds it there already)
     * @param idOf the storage's column of ids
     */
    void add(UUID id, int position, UUID[] idOf) {
        if ((count + 1) * 2 > slots.length) {
            grow(idOf);
        }
        insert(hash(id), position);
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

    private void grow(UUID[] idOf) {
        long[] old = slots;
        slots = new long[old.length * 2];
        shift--;
        for (long s : old) {
            if (s != 0) {
                int p = (int) s - 1;
                insert(hash(idOf[p]), p);
            }
        }
    }

    /** High bits pick the slot, low 32 bits are the tag. */
    private static long hash(UUID id) {
        return (id.getMostSignificantBits() ^ id.getLeastSignificantBits()) * 0x9E3779B97F4A7C15L;
    }
}
