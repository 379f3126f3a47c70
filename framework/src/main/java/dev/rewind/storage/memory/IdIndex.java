package dev.rewind.storage.memory;

import dev.rewind.spi.StoredRecord;
import java.util.UUID;

/**
 * Event id -> global position, as an open-addressing table of positions (linear probing, at most half
 * full). The ids themselves are not copied: a slot holds {@code position + 1} and the id is read from
 * the log. About 8 bytes per event, against about 50 for a {@code HashMap<UUID, Integer>} entry, and
 * one array probe instead of a chain of objects. Not thread-safe: the storage's lock guards it.
 */
final class IdIndex {
    private int[] slots = new int[1 << 11];
    private int shift = 64 - 11;
    private int count;

    /**
     * @param id an event id
     * @param log the storage's log
     * @return its position, or -1
     */
    int get(UUID id, StoredRecord[] log) {
        int mask = slots.length - 1;
        for (int i = slot(id); ; i = (i + 1) & mask) {
            int s = slots[i];
            if (s == 0) {
                return -1;
            }
            if (log[s - 1].eventId().equals(id)) {
                return s - 1;
            }
        }
    }

    /**
     * Adds an id that is not in the table yet.
     *
     * @param id the id
     * @param position its position (the log holds the record there already)
     * @param log the storage's log
     */
    void add(UUID id, int position, StoredRecord[] log) {
        if ((count + 1) * 2 > slots.length) {
            grow(log);
        }
        insert(id, position);
        count++;
    }

    private void insert(UUID id, int position) {
        int mask = slots.length - 1;
        int i = slot(id);
        while (slots[i] != 0) {
            i = (i + 1) & mask;
        }
        slots[i] = position + 1;
    }

    private void grow(StoredRecord[] log) {
        int[] old = slots;
        slots = new int[old.length * 2];
        shift--;
        for (int s : old) {
            if (s != 0) {
                insert(log[s - 1].eventId(), s - 1);
            }
        }
    }

    private int slot(UUID id) {
        long h = (id.getMostSignificantBits() ^ id.getLeastSignificantBits()) * 0x9E3779B97F4A7C15L;
        return (int) (h >>> shift);
    }
}
