package dev.rewind.internal;

import dev.rewind.EventListener;
import dev.rewind.StoredEvent;
import dev.rewind.Subscription;
import dev.rewind.spi.storage.EventStorage;
import dev.rewind.spi.storage.StoredSerializedEvent;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers stored events to subscribers in global order, by position: whoever finds delivery idle
 * drains from the next undelivered position up to the head. An append made while a delivery runs (by
 * a listener, or by another thread) only moves the head; the running drain picks it up after the
 * current event, so nothing is delivered out of order or twice, and a listener that appends never
 * re-enters delivery.
 *
 * <p>The head is what delivery is told, not what it asks: the end of each append made through this
 * store (a storage acknowledges appends in position order, so every position below an acknowledged
 * batch's end is readable) and the next positions a storage with {@code AppendNotifications} reports.
 * Asking the storage on every append cost a round trip per append to a database, one that could
 * fail after the batch was committed.
 */
final class Delivery {
    private static final Logger LOG = LoggerFactory.getLogger(Delivery.class);

    private final EventStorage storage;
    private final EventPipeline pipeline;
    private final CopyOnWriteArrayList<Subscriber> listeners = new CopyOnWriteArrayList<>();
    private final AtomicBoolean draining = new AtomicBoolean();
    /** The highest next position delivery was told of: every position below it is readable. */
    private final AtomicLong head;
    private volatile long next;

    Delivery(EventStorage storage, EventPipeline pipeline, long start) {
        this.storage = storage;
        this.pipeline = pipeline;
        this.next = start;
        this.head = new AtomicLong(start);
    }

    long next() {
        return next;
    }

    /**
     * A listener and the first position it is told of: the head when it subscribed, so that it never
     * sees an event stored before it subscribed, even one whose delivery to others is still pending.
     */
    private record Subscriber(EventListener listener, long from) {
    }

    Subscription subscribe(EventListener listener) {
        Subscriber subscriber = new Subscriber(listener, storage.nextPosition());
        listeners.add(subscriber);
        AtomicBoolean open = new AtomicBoolean(true);
        return () -> {
            if (open.compareAndSet(true, false)) {
                listeners.remove(subscriber);
            }
        };
    }

    /**
     * Delivers everything up to {@code nextPosition} (and up to any head told before).
     *
     * @param nextPosition a next position every lower one of which is readable: a storage's notification
     */
    void drain(long nextPosition) {
        drain(nextPosition, List.of());
    }

    /**
     * Delivers everything up to {@code nextPosition} (and up to any head told before).
     *
     * @param nextPosition a next position every lower one of which is readable: the end of an append
     * @param appended events the caller has just appended and decoded, in order: when delivery reaches
     *     their first position they are delivered as they are, instead of being read and decoded again
     */
    void drain(long nextPosition, List<StoredEvent<?>> appended) {
        head.accumulateAndGet(nextPosition, Math::max);
        while (head.get() > next) {
            if (!draining.compareAndSet(false, true)) {
                return; // the thread draining now will see our events (it re-checks the head after releasing)
            }
            try {
                if (!drainOnce(appended)) {
                    return; // the storage had nothing to read yet; the next append or notification goes on
                }
            } finally {
                draining.set(false);
            }
        }
    }

    /** @return false when a read found nothing although the head is further */
    private boolean drainOnce(List<StoredEvent<?>> appended) {
        long h;
        while ((h = head.get()) > next) {
            if (listeners.isEmpty()) {
                next = h; // nobody to tell: a subscriber sees only events stored after it subscribed
                return true;
            }
            long from = firstWanted();
            if (from > next) {
                next = Math.min(from, h); // nobody wants these: no need to read them
                continue;
            }
            if (!appended.isEmpty() && appended.get(0).globalPosition() == next) {
                for (StoredEvent<?> event : appended) {
                    deliver(event);
                    next = event.globalPosition() + 1;
                }
                appended = List.of();
                continue;
            }
            long to = Math.min(h, next + DefaultEventStore.PAGE);
            if (storage.read(next, to, record -> {
                deliver(record);
                next = record.globalPosition() + 1;
            }) == 0) {
                return false;
            }
        }
        return true;
    }

    /** @return the first position any current subscriber is to be told of */
    private long firstWanted() {
        long from = Long.MAX_VALUE;
        for (Subscriber s : listeners) {
            from = Math.min(from, s.from());
        }
        return from;
    }

    private void deliver(StoredSerializedEvent record) {
        StoredEvent<?> event;
        try {
            event = pipeline.decode(record);
        } catch (RuntimeException e) {
            LOG.error("cannot deliver the event at global position {}: {}", record.globalPosition(), e.getMessage(), e);
            return;
        }
        deliver(event);
    }

    private void deliver(StoredEvent<?> event) {
        for (Subscriber s : listeners) { // iterates over a snapshot
            if (event.globalPosition() < s.from()) {
                continue;
            }
            try {
                s.listener().on(event);
            } catch (RuntimeException e) {
                LOG.error("subscriber {} failed on the event at global position {} ({} in stream '{}'); delivery goes on",
                        s.listener(), event.globalPosition(), event.type(), event.streamId(), e);
            }
        }
    }
}
