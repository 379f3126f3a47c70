package dev.rewind.example.orders.demo;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * A clock the demo sets before each step of its scenario, so that every run records its events at the
 * same instants and prints the same document. The store stamps {@code recordedAt} from it.
 */
public final class ScriptedClock extends Clock {
    private volatile Instant now;

    /** @param start the instant the clock shows until it is set */
    public ScriptedClock(Instant start) {
        this.now = start;
    }

    /** @param instant what the clock shows from now on */
    public void set(Instant instant) {
        this.now = instant;
    }

    @Override
    public Instant instant() {
        return now;
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        if (!ZoneOffset.UTC.equals(zone)) {
            throw new UnsupportedOperationException("the scripted clock is in UTC only");
        }
        return this;
    }
}
