package dev.rewind.storage.memory;

import java.util.UUID;

/**
 * Event id -> global position, as an open-addressing table (linear probing, at most half full). The
 * ids are not copied: a slot holds a 32-bit tag (the id's hash, whose top bits are the slot's index)
 * and {@code position + 1}; the id is read from the storage's id column only when the tag matches,
 * and growing rehashes from the tags alone. One cache miss per lookup on a
 * large store (the tag and the position share a slot), 16 bytes per event at most, against about 80
 * for a {@code HashMap<UUID, Integer>} entry with its UUID. Not thread-safe: the storage's lock guards it.
 */
final class IdIndex {
    private long[] slots = new long[1 << 11];
    /** log2 of the table size: a slot's index is the top {@code bits} bits of its tag. */
    private int bits = 11;
    private int count;

    /**
     * @param id an event id
     * @param idOf the storage's column of ids
     * @return its position, or -1
     */
    int get(UUID id, UUID[] idOf) {
        int mask = slots.length - 1;
        int tag = hash(id);
        for (int i = tag >>> (32 - bits); ; i = (i + 1) & mask) {
            long s = slots[i];
            if (s == 0) {
                return -1;
            }
            int p = (int) s - 1;
            if ((int) (s >>> 32) == tag && idOf[p].equals(id)) {
                return p;
            }
        }
    }

    /**
     * Adds an id that is not in the table yet.
     *
     * @param id the id
     * @param position its position
     */
    void add(UUID id, int position) {
        if ((count + 1) * 2 > slots.length) {
            grow();
        }
        insert(hash(id), position);
        count++;
    }

    private void insert(int tag, int position) {
        int mask = slots.length - 1;
        int i = tag >>> (32 - bits);
        while (slots[i] != 0) {
            i = (i + 1) & mask;
        }
        slots[i] = ((long) tag << 32) | (position + 1L);
    }

    /** Rehashes from the tags alone: no id is read, so growing costs one write per entry. */
    private void grow() {
        long[] old = slots;
        slots = new long[old.length * 2];
        bits++;
        for (long s : old) {
            if (s != 0) {
                insert((int) (s >>> 32), (int) s - 1);
            }
        }
    }

    /** The tag: the high 32 bits of a multiplicative hash; its top bits pick the slot. */
    private static int hash(UUID id) {
        return (int) (((id.getMostSignificantBits() ^ id.getLeastSignificantBits()) * 0x9E3779B97F4A7C15L) >>> 32);
    }
}
