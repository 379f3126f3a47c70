package dev.rewind;

/** A live subscription; closing it unsubscribes (idempotent). */
public interface Subscription extends AutoCloseable {
    /** Stops delivery to this subscriber. Events already being delivered may still arrive. */
    @Override
    void close();
}
