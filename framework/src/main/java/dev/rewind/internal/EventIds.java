package dev.rewind.internal;

import java.security.SecureRandom;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * New event ids: version-7 UUIDs (RFC 9562), time-ordered, so ids of events appended together sort
 * together in a B-tree index (PostgreSQL's unique index on event ids stays compact).
 *
 * <p>Why not {@link UUID#randomUUID()}: it draws from {@link SecureRandom}, a shared, synchronised
 * source, and costs far more than the rest of an in-memory append; an event id needs to be unique,
 * not secret. The random bits come from {@link ThreadLocalRandom}, mixed with 64 bits drawn once per
 * process from {@link SecureRandom} so that two processes started at the same instant do not share a
 * sequence. The store rejects a duplicate id in any case: a collision could never overwrite anything.
 */
public final class EventIds {
    private static final long PROCESS_SALT = new SecureRandom().nextLong();

    private EventIds() {
    }

    /** @return a new version-7 UUID */
    public static UUID next() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long millis = System.currentTimeMillis();
        long msb = (millis << 16) | 0x7000L | (random.nextInt() & 0x0FFFL);
        long lsb = ((random.nextLong() ^ PROCESS_SALT) & 0x3FFF_FFFF_FFFF_FFFFL) | 0x8000_0000_0000_0000L;
        return new UUID(msb, lsb);
    }
}
