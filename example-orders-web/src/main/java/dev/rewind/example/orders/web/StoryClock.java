package dev.rewind.example.orders.web;

import dev.rewind.example.orders.demo.OrdersDemo;
import dev.rewind.example.orders.demo.ScriptedClock;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.function.Function;

/**
 * The clock the store stamps {@code recordedAt} with: the system's UTC clock, except while the demo
 * story is played ({@link #play}), when it shows the story's scripted instants, so that the page shows
 * the same afternoon as the command-line demo. Events sent afterwards are stamped with the real time
 * (the store never lets {@code recordedAt} go back, and today is after the story).
 */
public final class StoryClock extends Clock {
    private final Clock system;
    private final ScriptedClock script = new ScriptedClock(OrdersDemo.start());
    private volatile boolean scripted;

    /** @param system the clock outside the story */
    public StoryClock(Clock system) {
        this.system = system;
    }

    /**
     * Runs the story with the scripted clock in charge, then gives the time back to the system clock.
     *
     * @param story plays the story, setting the scripted clock before each step
     * @param <T> what the story returns
     * @return what the story returned
     */
    public synchronized <T> T play(Function<ScriptedClock, T> story) {
        scripted = true;
        try {
            return story.apply(script);
        } finally {
            scripted = false;
        }
    }

    @Override
    public Instant instant() {
        return scripted ? script.instant() : system.instant();
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        if (!ZoneOffset.UTC.equals(zone)) {
            throw new UnsupportedOperationException("the story clock is in UTC only");
        }
        return this;
    }
}
