package dev.rewind;

/**
 * Receives events: live, after they are stored ({@link EventStore#subscribe}), or in a replay.
 */
@FunctionalInterface
public interface EventListener {
    /** @param event the stored event */
    void on(StoredEvent<?> event);
}
