package dev.rewind.internal;

import dev.rewind.EventIds;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rewind.EventDecodingException;
import dev.rewind.Metadata;
import dev.rewind.NewEvent;
import dev.rewind.RawEvent;
import dev.rewind.StoredEvent;
import dev.rewind.UnknownEventTypeException;
import dev.rewind.internal.EventTypeRegistry.EventType;
import dev.rewind.serialization.EventSerializer;
import dev.rewind.spi.storage.SerializedEvent;
import dev.rewind.spi.EventUpcaster;
import dev.rewind.spi.storage.PayloadObjectStorage;
import dev.rewind.spi.storage.StoredSerializedEvent;
import java.util.function.Function;

/**
 * The one place that turns events into stored records and back: encode on append; read -> decode ->
 * upcast (n -> n+1 -> ... -> current, on one JSON tree, never re-parsed between steps) -> bind on read.
 * The chain of each type is resolved at start-up (an array indexed by version), so the hot path does
 * one map lookup per event and no chain lookup.
 */
public final class EventPipeline {
    private final EventTypeRegistry types;
    private final EventSerializer serializer;
    private final Function<Object, byte[]> encoder;

    /**
     * @param types the closed type registry
     * @param serializer the serializer
     */
    public EventPipeline(EventTypeRegistry types, EventSerializer serializer) {
        this.types = types;
        this.serializer = serializer;
        this.encoder = serializer::serialize;
    }

    /** @return the type registry */
    public EventTypeRegistry types() {
        return types;
    }

    /** @return the serializer */
    public EventSerializer serializer() {
        return serializer;
    }

    /**
     * @param event a payload or a {@link NewEvent}
     * @return the record to store, at the type's current version
     */
    public SerializedEvent encode(Object event) {
        return event instanceof NewEvent ? encode(event, 0) : encode(event, EventIds.reserve(1));
    }

    /**
     * @param event a payload or a {@link NewEvent}
     * @param reservedId for a bare payload, the id to give it, reserved by {@link EventIds#reserve}
     * @return the record to store, at the type's current version
     */
    public SerializedEvent encode(Object event, long reservedId) {
        if (event instanceof NewEvent e) {
            EventType type = types.byClass(e.payload().getClass());
            return SerializedEvent.ofObject(e.eventId(), type.name(), type.version(), e.payload(), e.metadata(),
                    encoder);
        }
        EventType type = types.byClass(event.getClass()); // a bare payload: a new id, no metadata
        return SerializedEvent.ofObject(EventIds.at(reservedId), type.name(), type.version(), event, Metadata.EMPTY,
                encoder);
    }

    /**
     * Checks a raw event against the registry, binds its JSON strictly and turns it into a record in
     * canonical form, so that the store holds exactly what a read returns. At the type's current
     * version the stored bytes are the serializer's encoding of the bound payload; at an older version
     * (no class exists for it) they are the strictly read JSON tree written back compactly, which is
     * then upcast and bound strictly to prove that every later read succeeds. Duplicate fields,
     * content after the object and scalar coercions (see {@link EventSerializer#bindStrictly}) are
     * refused.
     *
     * @param raw a raw event
     * @return the record to store
     * @throws UnknownEventTypeException when the type is not registered
     * @throws IllegalArgumentException naming the event, its type and version, and what is wrong
     */
    public SerializedEvent encodeRaw(RawEvent raw) {
        EventType type = types.byStoredName(raw.type());
        if (type == null) {
            throw new UnknownEventTypeException(raw.type(), "in raw event " + raw.eventId());
        }
        if (raw.schemaVersion() > type.version()) {
            throw new IllegalArgumentException("raw event " + raw.eventId() + " of type " + raw.type() + " is at v"
                    + raw.schemaVersion() + ", newer than the current v" + type.version() + " of "
                    + type.javaClass().getName());
        }
        String which = "raw event " + raw.eventId() + " of type " + raw.type() + " v" + raw.schemaVersion();
        byte[] canonical;
        try {
            ObjectNode tree = serializer.readTreeStrictly(raw.json());
            if (raw.schemaVersion() == type.version()) {
                canonical = serializer.serialize(serializer.bindStrictly(tree, type.javaClass()));
            } else {
                canonical = serializer.serializeTree(tree); // before the upcasters change the tree
                ObjectNode current = upcast(tree, raw.schemaVersion(), type);
                try {
                    serializer.bindStrictly(current, type.javaClass());
                } catch (IllegalArgumentException e) {
                    throw new Failure("cannot be bound after upcasting to v" + type.version() + ": " + e.getMessage(), e);
                }
            }
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(which + ": " + e.getMessage(), e);
        } catch (Failure f) {
            throw new IllegalArgumentException(which + " " + f.getMessage(), f.getCause());
        }
        return new SerializedEvent(raw.eventId(), raw.type(), raw.schemaVersion(), canonical, raw.metadata());
    }

    /**
     * @param record a stored record
     * @return the event, bound to the current version of its record class
     * @throws UnknownEventTypeException when the type is not registered
     * @throws EventDecodingException when the bytes cannot be decoded, upcast or bound
     */
    public StoredEvent<?> decode(StoredSerializedEvent record) {
        Object payload = record.payloadObject();
        EventType type = types.byStoredName(record.type());
        if (type == null) {
            throw new UnknownEventTypeException(record.type(), "at global position " + record.globalPosition()
                    + " (event " + record.eventId() + ", stream '" + record.streamId() + "')");
        }
        if (payload == null) {
            payload = decodePayload(record, type);
        }
        return new StoredEvent<>(record.eventId(), record.streamId(), record.streamVersion(),
                record.globalPosition(), type.name(), record.schemaVersion(), record.recordedAt(), payload,
                record.metadata());
    }

    /**
     * @return what a {@link PayloadObjectStorage} asks while it replays: whether a kept payload object is
     *     the current version of its type, and how to decode an event from its bytes otherwise
     */
    public PayloadObjectStorage.Decoder objectDecoder() {
        return new PayloadObjectStorage.Decoder() {
            @Override
            public boolean isCurrent(String type, Class<?> payloadClass) {
                EventType known = types.byStoredName(type);
                return known != null && known.javaClass() == payloadClass && known.name().equals(type);
            }

            @Override
            public StoredEvent<?> decode(StoredSerializedEvent event) {
                return EventPipeline.this.decode(event);
            }
        };
    }

    /**
     * @param record a record just appended at its type's current version
     * @param payload the (immutable) payload object its bytes were encoded from
     * @return the event, without decoding the bytes again
     */
    public StoredEvent<?> bound(StoredSerializedEvent record, Object payload) {
        EventType type = types.byClass(payload.getClass());
        return new StoredEvent<>(record.eventId(), record.streamId(), record.streamVersion(),
                record.globalPosition(), type.name(), record.schemaVersion(), record.recordedAt(), payload,
                record.metadata());
    }

    private Object decodePayload(StoredSerializedEvent record, EventType type) {
        try {
            return bindPayload(record.payload(), record.schemaVersion(), record.type(), type);
        } catch (Failure f) {
            throw failure(record, f.getMessage(), f.getCause());
        }
    }

    /** What failed while turning bytes into a record; the caller says where (stored event or raw append). */
    private static final class Failure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Failure(String what, Throwable cause) {
            super(what, cause);
        }
    }

    /** Decodes bytes stored at version {@code stored}, upcasts them to the current version and binds them. */
    private Object bindPayload(byte[] payload, int stored, String storedName, EventType type) {
        if (stored == type.version()) {
            try {
                return serializer.deserialize(payload, type.javaClass());
            } catch (IllegalArgumentException e) {
                throw new Failure("cannot be decoded: " + e.getMessage(), e);
            }
        }
        if (stored > type.version() || stored < 1) {
            throw new Failure("is stored at schema version " + stored + ", but this code knows " + storedName
                    + " only up to v" + type.version() + " (" + type.javaClass().getName()
                    + "); it was written by a newer release", null);
        }
        ObjectNode tree;
        try {
            tree = serializer.readTree(payload);
        } catch (IllegalArgumentException e) {
            throw new Failure("cannot be decoded: " + e.getMessage(), e);
        }
        tree = upcast(tree, stored, type);
        try {
            return serializer.bind(tree, type.javaClass());
        } catch (IllegalArgumentException e) {
            throw new Failure("cannot be bound after upcasting to v" + type.version() + ": " + e.getMessage(), e);
        }
    }

    /** Runs the upcasters of {@code type} from version {@code stored} (1 or more) to the current one on {@code tree}. */
    private static ObjectNode upcast(ObjectNode tree, int stored, EventType type) {
        EventUpcaster[] steps = type.steps();
        for (int v = stored; v < type.version(); v++) {
            EventUpcaster step = steps[v];
            if (step == null) {
                throw new Failure("cannot be upcast: no upcaster from " + type.name() + " v" + v + " to v" + (v + 1), null);
            }
            try {
                tree = step.upcast(tree);
            } catch (RuntimeException e) {
                throw new Failure("failed in upcaster " + step.getClass().getName() + " (v" + v + " to v" + (v + 1)
                        + "): " + e, e);
            }
            if (tree == null) {
                throw new Failure("upcaster " + step.getClass().getName() + " (v" + v + " to v" + (v + 1)
                        + ") returned null", null);
            }
        }
        return tree;
    }

    private static EventDecodingException failure(StoredSerializedEvent r, String what, Throwable cause) {
        return new EventDecodingException("event " + r.eventId() + " (type " + r.type() + " v" + r.schemaVersion()
                + ", stream '" + r.streamId() + "' version " + r.streamVersion() + ", global position "
                + r.globalPosition() + ") " + what, cause);
    }
}
