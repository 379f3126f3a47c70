package dev.rewind.spi.storage.contract;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A clock the test sets by hand: fixed until moved, or stepping by a fixed amount on every read.
 * It may be moved backwards, which is how the contract checks that {@code recordedAt} is clamped.
 */
public final class MutableClock extends Clock {
    private final AtomicReference<Instant> now;
    private volatile Duration step = Duration.ZERO;

    /** @param start the first instant the clock gives */
    public MutableClock(Instant start) {
        this.now = new AtomicReference<>(start);
    }

    /** @param instant what the clock gives from now on (earlier than before is allowed) */
    public void set(Instant instant) {
        now.set(instant);
    }

    /** @param duration how far to move the clock (negative moves it back) */
    public void advance(Duration duration) {
        now.updateAndGet(i -> i.plus(duration));
    }

    /** @param perRead how far the clock moves after each read; zero keeps it fixed */
    public void stepEachRead(Duration perRead) {
        this.step = perRead;
    }

    @Override
    public Instant instant() {
        Duration s = step;
        return s.isZero() ? now.get() : now.getAndUpdate(i -> i.plus(s));
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        if (ZoneOffset.UTC.equals(zone)) {
            return this;
        }
        throw new UnsupportedOperationException("MutableClock is UTC only, not " + zone);
    }
}
