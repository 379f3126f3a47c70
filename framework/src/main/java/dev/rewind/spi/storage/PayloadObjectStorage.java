package dev.rewind.spi.storage;

import dev.rewind.EventListener;
import dev.rewind.StoredEvent;

/**
 * Optional capability of an {@link EventStorage} that keeps events in memory: it keeps the payload
 * object of an event appended through the typed API ({@link SerializedEvent#payloadObject()}) instead
 * of its bytes, so neither append nor read encodes or decodes JSON. The store then hands it events whose
 * bytes are not encoded yet (they are encoded if anyone calls {@link SerializedEvent#payload()}), and
 * replays through {@link #replayObjects}, which builds each {@link StoredEvent} straight from what it
 * keeps. A storage must keep only objects nobody can change afterwards (see the framework's in-memory
 * storage for the rule it applies).
 */
public interface PayloadObjectStorage extends EventStorage {

    /** What the store tells the storage about event types, and how it decodes an event from its bytes. */
    interface Decoder {
        /**
         * @param type a stored type name
         * @param payloadClass the class of a kept payload object
         * @return whether that object is the current version of that type, so it can be handed out as is
         */
        boolean isCurrent(String type, Class<?> payloadClass);

        /**
         * @param event an event whose payload object cannot be handed out as is
         * @return it decoded from its bytes (and upcast)
         */
        StoredEvent<?> decode(StoredSerializedEvent event);
    }

    /**
     * Replays {@code [fromPosition, toPosition)} in global order, building each event from the payload
     * object kept when {@link Decoder#isCurrent} says it may, else through {@link Decoder#decode}.
     *
     * @param fromPosition the first global position (inclusive)
     * @param toPosition the end (exclusive); {@code Long.MAX_VALUE} for "up to the last readable one"
     * @param decoder the store's types and decoder
     * @param listener receives the events
     * @return how many events were replayed
     */
    long replayObjects(long fromPosition, long toPosition, Decoder decoder, EventListener listener);
}
