package dev.rewind.serialization;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Turns event payloads into stored bytes and back. The stored form is a JSON object: upcasters work on
 * its tree ({@link ObjectNode}) before it is bound to the record class.
 *
 * <p>Implementations never read class names from stored data: the class to bind to always comes from
 * the closed type registry.
 */
public interface EventSerializer {

    /**
     * @param payload an event record
     * @return its UTF-8 JSON bytes
     */
    byte[] serialize(Object payload);

    /**
     * Decodes and binds in one step (the fast path for events stored at the current version).
     *
     * @param json UTF-8 JSON bytes of an object
     * @param type the record class
     * @param <T> the record type
     * @return the bound record
     */
    <T> T deserialize(byte[] json, Class<T> type);

    /**
     * @param json UTF-8 JSON bytes
     * @return the tree of the JSON object
     * @throws IllegalArgumentException when the bytes are not a JSON object
     */
    ObjectNode readTree(byte[] json);

    /**
     * @param tree a JSON object, possibly upcast
     * @param type the record class
     * @param <T> the record type
     * @return the bound record
     */
    <T> T bind(ObjectNode tree, Class<T> type);

    /**
     * @param payload an event record
     * @return the payload as a JSON tree (for printing)
     */
    ObjectNode toTree(Object payload);

    /**
     * Reads JSON given from outside the store (a raw append) strictly: exactly one JSON object, no
     * field twice in one object, nothing after it. The normal read path ({@link #readTree}) is not
     * affected.
     *
     * @param json UTF-8 JSON bytes
     * @return the tree of the JSON object
     * @throws IllegalArgumentException saying what is wrong and where
     */
    ObjectNode readTreeStrictly(byte[] json);

    /**
     * Binds a tree strictly, as a raw append does before it stores anything: as {@link #bind}, and
     * without the scalar coercions a normal read may apply (a float for an integer, a string for a
     * number, ...). The normal read path ({@link #bind}, {@link #deserialize}) is not affected.
     *
     * @param tree a JSON object
     * @param type the record class
     * @param <T> the record type
     * @return the bound record
     * @throws IllegalArgumentException naming the field and what is wrong with it
     */
    <T> T bindStrictly(ObjectNode tree, Class<T> type);

    /**
     * @param tree a JSON object
     * @return its compact UTF-8 JSON bytes
     */
    byte[] serializeTree(ObjectNode tree);
}
