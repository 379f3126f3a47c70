package dev.rewind.storage.kernel;

import java.time.Instant;

/**
 * The search every storage needs for time queries: recorded instants never decrease along the global
 * order, so "the first position recorded at or after t" is a binary search over (seconds, nanos)
 * columns, whether they hold one entry per event or one per change of instant.
 */
public final class TimeIndex {
    private TimeIndex() {
    }

    /**
     * @param seconds epoch seconds, non-decreasing with {@code nanos} over {@code [0, size)}
     * @param nanos nanoseconds within the second
     * @param size how many entries are in use
     * @param instant the instant looked for
     * @param strictlyAfter true for the first entry after {@code instant}, false for at or after
     * @return the index of that entry, or {@code size} when there is none
     */
    public static int search(long[] seconds, int[] nanos, int size, Instant instant, boolean strictlyAfter) {
        int lo = 0;
        int hi = size;
        long s = instant.getEpochSecond();
        int n = instant.getNano();
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            int c = Long.compare(seconds[mid], s);
            if (c == 0) {
                c = Integer.compare(nanos[mid], n);
            }
            if (c < 0 || (strictlyAfter && c == 0)) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }
}
