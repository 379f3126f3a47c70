package dev.rewind.storage.kernel;

import java.util.Arrays;
import java.util.UUID;

/**
 * Event id -> global position, for storages that keep ids in two columns of longs (the in-memory and
 * the file storage), in two parts.
 *
 * <p><b>The ordered run.</b> Ids made by Rewind are version-7 UUIDs that increase with every id the
 * process makes, so a store usually receives each new id greater than every id it holds. Such an id
 * cannot be a duplicate of any id in the run, and it is added by appending its position to an
 * {@code int} array: no hashing, no random memory access, 4 bytes per event. A lookup in the run
 * searches backwards from its end, doubling the step (a recent id is found in a few steps, an old one
 * in about {@code 2 log2 n}), comparing ids as unsigned 128-bit numbers (RFC 9562 order).
 *
 * <p><b>The table.</b> Any other id (given by the caller, or made by another thread that appended
 * later) goes into an open-addressing table (linear probing, at most half full): a slot holds a
 * 32-bit tag (the id's hash, whose top bits are the slot's index) and {@code position + 1}; the id is
 * read from the storage's id columns only when the tag matches, and growing rehashes from the tags
 * alone. One cache miss per lookup, 16 bytes per event at most. Every id in the table was below the
 * run's last id when it was added, and that id only grows, so a lookup of an id above it (a new one,
 * usually) answers "absent" without probing the table.
 *
 * <p>Not thread-safe: the storage's lock guards it.
 */
public final class IdIndex {
    private int[] ordered = new int[1024];
    private int orderedCount;
    private long maxMsb;
    private long maxLsb;

    private long[] slots = new long[1 << 4];
    /** log2 of the table size: a slot's index is the top {@code bits} bits of its tag. */
    private int bits = 4;
    private int count;

    /**
     * @param id an event id
     * @param msbOf the storage's column of ids' most significant 64 bits
     * @param lsbOf the storage's column of ids' least significant 64 bits
     * @return its position, or -1
     */
    public int get(UUID id, long[] msbOf, long[] lsbOf) {
        long msb = id.getMostSignificantBits();
        long lsb = id.getLeastSignificantBits();
        if (orderedCount == 0 || compare(msb, lsb, maxMsb, maxLsb) > 0) {
            return -1; // above the run's last id, so above every id held: the table's were below it when added
        }
        if (count > 0) {
            int p = tableGet(msb, lsb, msbOf, lsbOf);
            if (p >= 0) {
                return p;
            }
        }
        return orderedGet(msb, lsb, msbOf, lsbOf);
    }

    /**
     * Adds an id that is not in the index yet.
     *
     * @param id the id
     * @param position its position
     */
    public void add(UUID id, int position) {
        add(id.getMostSignificantBits(), id.getLeastSignificantBits(), position);
    }

    /**
     * Adds an id that is not in the index yet.
     *
     * @param msb the id's most significant 64 bits
     * @param lsb the id's least significant 64 bits
     * @param position its position
     */
    public void add(long msb, long lsb, int position) {
        if (orderedCount == 0 || compare(msb, lsb, maxMsb, maxLsb) > 0) {
            if (orderedCount == ordered.length) {
                ordered = Arrays.copyOf(ordered, orderedCount * 2);
            }
            ordered[orderedCount++] = position;
            maxMsb = msb;
            maxLsb = lsb;
            return;
        }
        if ((count + 1) * 2 > slots.length) {
            grow();
        }
        insert(hash(msb, lsb), position);
        count++;
    }

    /** @return how many ids were added out of order (and so are in the table): for tests */
    public int outOfOrder() {
        return count;
    }

    private static int compare(long msb, long lsb, long otherMsb, long otherLsb) {
        int c = Long.compareUnsigned(msb, otherMsb);
        return c != 0 ? c : Long.compareUnsigned(lsb, otherLsb);
    }

    /** Searches the run for an id not greater than its last: backwards from the end, doubling the step, then bisecting. */
    private int orderedGet(long msb, long lsb, long[] msbOf, long[] lsbOf) {
        int hi = orderedCount - 1; // id <= id(hi)
        int lo;
        int step = 1;
        while (true) {
            lo = hi - step;
            if (lo < 0) {
                lo = -1;
                break;
            }
            int at = ordered[lo];
            int c = compare(msb, lsb, msbOf[at], lsbOf[at]);
            if (c == 0) {
                return ordered[lo];
            }
            if (c > 0) {
                break;
            }
            hi = lo;
            step <<= 1;
        }
        int a = lo + 1;
        int b = hi;
        while (a <= b) { // id(lo) < id <= id(hi)
            int m = (a + b) >>> 1;
            int at = ordered[m];
            int c = compare(msb, lsb, msbOf[at], lsbOf[at]);
            if (c == 0) {
                return ordered[m];
            }
            if (c < 0) {
                b = m - 1;
            } else {
                a = m + 1;
            }
        }
        return -1;
    }

    private int tableGet(long msb, long lsb, long[] msbOf, long[] lsbOf) {
        int mask = slots.length - 1;
        int tag = hash(msb, lsb);
        for (int i = tag >>> (32 - bits); ; i = (i + 1) & mask) {
            long s = slots[i];
            if (s == 0) {
                return -1;
            }
            int p = (int) s - 1;
            if ((int) (s >>> 32) == tag && msbOf[p] == msb && lsbOf[p] == lsb) {
                return p;
            }
        }
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
    private static int hash(long msb, long lsb) {
        return (int) (((msb ^ lsb) * 0x9E3779B97F4A7C15L) >>> 32);
    }
}
