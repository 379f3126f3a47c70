package dev.rewind;

import java.security.SecureRandom;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * New event ids, as the store makes them for events appended without one: version-7 UUIDs (RFC 9562), time-ordered, so ids of events appended together sort
 * together in a B-tree index (PostgreSQL's unique index on event ids stays compact).
 *
 * <p>Why not {@link UUID#randomUUID()}: it draws from {@link SecureRandom}, a shared, synchronised
 * source, and costs far more than the rest of an in-memory append; an event id needs to be unique,
 * not secret. The random bits come from {@link ThreadLocalRandom}, mixed with 64 bits drawn once per
 * process from {@link SecureRandom} so that two processes started at the same instant do not share a
 * sequence. The store rejects a duplicate id in any case: a collision could never overwrite anything.
 *
 * <p>Ids increase: the 12 bits after the version ({@code rand_a}) are a counter within the
 * millisecond (RFC 9562, section 6.2, method 1), shared by all threads of the process, and a counter
 * that overflows carries into the timestamp. Every id this process makes is greater (as an unsigned
 * 128-bit number) than the one before it, even when the system clock steps back, so the in-memory
 * store adds a new id to its id index by appending, not by hashing.
 */
public final class EventIds {
    private static final long PROCESS_SALT = new SecureRandom().nextLong();
    /** The last id's 48-bit millisecond timestamp and 12-bit counter, as one 60-bit number. */
    private static final AtomicLong LAST = new AtomicLong();

    private EventIds() {
    }

    /** @return a new version-7 UUID */
    public static UUID next() {
        return at(reserve(1));
    }

    /**
     * Reserves the timestamps and counters of {@code count} ids at once (one clock read and one
     * atomic update for a whole batch).
     *
     * @param count how many ids, at least 1
     * @return the first reserved value: pass it and the values after it, each once, to {@link #at}
     */
    public static long reserve(int count) {
        long now = System.currentTimeMillis() << 12;
        long last;
        long first;
        do {
            last = LAST.get();
            first = Math.max(now, last + 1);
        } while (!LAST.compareAndSet(last, first + count - 1));
        return first;
    }

    /**
     * @param reserved a value from {@link #reserve} (or one of the values after it that it reserved)
     * @return the id made of it and 62 random bits
     */
    public static UUID at(long reserved) {
        long msb = ((reserved >>> 12) << 16) | 0x7000L | (reserved & 0x0FFFL);
        long lsb = ((ThreadLocalRandom.current().nextLong() ^ PROCESS_SALT) & 0x3FFF_FFFF_FFFF_FFFFL)
                | 0x8000_0000_0000_0000L;
        return new UUID(msb, lsb);
    }
}
