package dev.rewind.storage.kernel;

import java.time.Clock;
import java.time.Instant;

/**
 * The instant a storage records for a batch: the clock's, but never before the previous batch's, so
 * that {@code recordedAt} never decreases along the global order (a clock that steps back, say after
 * an NTP correction, would otherwise make "as of" queries ambiguous). Not thread-safe: call it under
 * the lock that orders appends.
 */
public final class RecordedAtClamp {
    private Instant last;

    /** @param last the instant of the last stored event, or null for an empty store */
    public RecordedAtClamp(Instant last) {
        this.last = last == null ? Instant.MIN : last;
    }

    /**
     * @param clock the store's clock
     * @return the instant for the next batch, which becomes the last one
     */
    public Instant next(Clock clock) {
        Instant now = clock.instant();
        if (now.isBefore(last)) {
            now = last;
        }
        last = now;
        return now;
    }
}
