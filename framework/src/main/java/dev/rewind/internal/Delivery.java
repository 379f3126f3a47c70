package dev.rewind.internal;

import dev.rewind.EventListener;
import dev.rewind.StoredEvent;
import dev.rewind.Subscription;
import dev.rewind.spi.storage.EventStorage;
import dev.rewind.spi.storage.StoredSerializedEvent;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers stored events to subscribers in global order, by position: whoever finds delivery idle
 * drains from the next undelivered position up to the storage's head. An append made while a
 * delivery runs (by a listener, or by another thread) only moves the head; the running drain picks
 * it up after the current event, so nothing is delivered out of order or twice, and a listener that
 * appends never re-enters delivery.
 */
final class Delivery {
    private static final Logger LOG = LoggerFactory.getLogger(Delivery.class);

    private final EventStorage storage;
    private final EventPipeline pipeline;
    private final CopyOnWriteArrayList<Subscriber> listeners = new CopyOnWriteArrayList<>();
    private final AtomicBoolean draining = new AtomicBoolean();
    private volatile long next;

    Delivery(EventStorage storage, EventPipeline pipeline, long start) {
        this.storage = storage;
        this.pipeline = pipeline;
        this.next = start;
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

    void drain() {
        drain(List.of());
    }

    /**
     * Delivers everything up to the head.
     *
     * @param appended events the caller has just appended and decoded, in order: when delivery reaches
     *     their first position they are delivered as they are, instead of being read and decoded again
     */
    void drain(List<StoredEvent<?>> appended) {
        while (storage.nextPosition() > next) {
            if (!draining.compareAndSet(false, true)) {
                return; // the thread draining now will see our events (it re-checks the head after releasing)
            }
            try {
                drainOnce(appended);
            } finally {
                draining.set(false);
            }
        }
    }

    private void drainOnce(List<StoredEvent<?>> appended) {
        long head;
        while ((head = storage.nextPosition()) > next) {
            if (listeners.isEmpty()) {
                next = head; // nobody to tell: a subscriber sees only events stored after it subscribed
                return;
            }
            if (!appended.isEmpty() && appended.get(0).globalPosition() == next) {
                for (StoredEvent<?> event : appended) {
                    deliver(event);
                    next = event.globalPosition() + 1;
                }
                appended = List.of();
                continue;
            }
            long to = Math.min(head, next + DefaultEventStore.PAGE);
            if (storage.read(next, to, record -> {
                deliver(record);
                next = record.globalPosition() + 1;
            }) == 0) {
                return;
            }
        }
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
