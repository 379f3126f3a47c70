package dev.rewind.benchmarks.rewind;

import dev.rewind.StoredEvent;
import dev.rewind.annotation.EventHandler;
import dev.rewind.annotation.Projection;
import dev.rewind.annotation.QueryState;
import dev.rewind.benchmarks.workload.OrderPaid;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Notes when each order's last event ({@code OrderPaid}) became visible in an asynchronous projection:
 * {@link System#nanoTime()} by global position, for the lag from "append acknowledged" to "visible".
 */
@Projection(LagProbe.NAME)
public final class LagProbe {
    /** The projection's name. */
    public static final String NAME = "lag_probe";
    /** Positions beyond this are not noted. */
    public static final int CAPACITY = 1 << 23;
    /** Applied-at times by position (0: not seen). Shared: one probe per JVM at a time. */
    public static final AtomicLongArray APPLIED_AT = new AtomicLongArray(CAPACITY);
    private long seen;

    /** A projection needs a no-argument constructor. */
    public LagProbe() {
    }

    @EventHandler
    void on(OrderPaid e, StoredEvent<?> envelope) {
        long p = envelope.globalPosition();
        if (p < CAPACITY) {
            APPLIED_AT.compareAndSet((int) p, 0, System.nanoTime());
        }
        seen++;
    }

    /** @return how many orders it saw */
    @QueryState
    public long state() {
        return seen;
    }
}
