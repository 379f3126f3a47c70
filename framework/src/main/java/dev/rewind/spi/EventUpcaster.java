package dev.rewind.spi;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One step of a type's schema migration: turns the JSON of version {@code n} into version {@code n + 1},
 * before the JSON is bound to the record class. Stored bytes are never rewritten: upcasting happens on
 * every read.
 *
 * <p>An upcaster maps one event to one event. Splitting a stored event into several, or dropping one,
 * is not supported: model such a change as a new event type written from now on, and keep the old type
 * (and its handlers) for the old records.
 *
 * <p>Declare one with {@link dev.rewind.annotation.Upcaster} on a class that implements this interface
 * and has a public no-argument constructor, or register it through
 * a plugin's registrar.
 */
@FunctionalInterface
public interface EventUpcaster {
    /**
     * @param json the event at version {@code from}; the upcaster may modify and return it, or return a new object
     * @return the event at version {@code from + 1}
     */
    ObjectNode upcast(ObjectNode json);
}
