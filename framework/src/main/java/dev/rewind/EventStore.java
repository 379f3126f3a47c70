package dev.rewind;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The append-only, immutable event store: the API applications call.
 *
 * <h2>Numbering and bounds</h2>
 * A stream's first event has stream version 0; the store's first event has global position 0; both
 * are gap-free. "From" bounds are inclusive and "to" bounds exclusive. {@code recordedAt} is stamped
 * by the store from its {@link java.time.Clock}, never decreases along the global order (a clock that
 * steps back is clamped), and is shared by all events of one append.
 *
 * <h2>Appending</h2>
 * A batch is atomic: all of it is stored or none. Event ids are unique in the whole store; a batch
 * holding an id already stored is rejected with a {@link DuplicateEventIdException}, unless it is the
 * exact same batch again (same ids, stream, types and content): that retry writes nothing and returns
 * the original result with {@link AppendResult#alreadyAppended()} set.
 *
 * <h2>Subscribers</h2>
 * Listeners are notified of every event after it is stored, in global order. Delivery iterates over a
 * snapshot of the subscribers; a listener may append, subscribe or unsubscribe while it is notified:
 * events appended during a delivery are delivered after it, in order, to every subscriber. A listener
 * that throws is logged and does not stop the others or fail the append.
 *
 * <p>Implementations are thread-safe.
 */
public interface EventStore {

    /**
     * Appends events to a stream, each at its type's current schema version.
     *
     * @param streamId the stream
     * @param expected what the caller expects of the stream (optimistic concurrency)
     * @param events payload records, or {@link NewEvent}s to choose ids and metadata; at least one
     * @return the stored events
     * @throws ConcurrencyConflictException when {@code expected} does not match
     * @throws DuplicateEventIdException when an id is already stored and this is not an exact retry
     * @throws UnknownEventTypeException when a payload's class is not a registered event type
     */
    AppendResult append(String streamId, ExpectedVersion expected, List<?> events);

    /**
     * Appends events in their stored form, each at the schema version it names (imports, migrations,
     * tests of old data). The type must be registered (or renamed to a registered type) and the version
     * between 1 and the type's current version.
     *
     * <p>The JSON is bound strictly before anything is stored: exactly one JSON object, no field twice,
     * nothing after it, no unknown or missing field, no null for a primitive, and no scalar coercion
     * (a float for an integer, a string for a number, a number for a string or a date, ...); an
     * integer for a {@code long}, floating-point or decimal field is the one conversion accepted. What
     * is stored is the canonical form, so that the store holds exactly what a read returns: at the
     * type's current version the serializer's encoding of the bound payload, at an older version the
     * JSON written back compactly (and proven to upcast and bind).
     *
     * @param streamId the stream
     * @param expected what the caller expects of the stream
     * @param events the raw events
     * @return the stored events, decoded (upcast to the current version)
     * @throws IllegalArgumentException naming the event id, type, schema version and what is wrong, when
     *         an event's JSON is refused; nothing of the batch is stored
     * @throws UnknownEventTypeException when a type is not registered
     */
    AppendResult appendRaw(String streamId, ExpectedVersion expected, List<RawEvent> events);

    /**
     * @param streamId the stream
     * @param fromVersion the first stream version to return (inclusive), 0 or more
     * @return the stream's events from that version on, in order; empty for an unknown stream
     */
    List<StoredEvent<?>> readStream(String streamId, long fromVersion);

    /**
     * @param streamId the stream
     * @param fromVersion the first stream version to return (inclusive), 0 or more
     * @param maxCount how many events at most, 0 or more
     * @return at most {@code maxCount} of the stream's events from that version on, in order
     */
    List<StoredEvent<?>> readStream(String streamId, long fromVersion, int maxCount);

    /**
     * Reads a stream from the end: the last events of a long stream without reading it all.
     *
     * @param streamId the stream
     * @param fromVersion the highest stream version to return (inclusive); {@code Long.MAX_VALUE} for the
     *     stream's last event
     * @param maxCount how many events at most, 0 or more
     * @return at most {@code maxCount} events, versions going down
     */
    List<StoredEvent<?>> readStreamBackward(String streamId, long fromVersion, int maxCount);

    /**
     * @param streamId the stream
     * @return its last event, or empty when it holds none
     */
    default Optional<StoredEvent<?>> lastEvent(String streamId) {
        List<StoredEvent<?>> last = readStreamBackward(streamId, Long.MAX_VALUE, 1);
        return last.isEmpty() ? Optional.empty() : Optional.of(last.get(0));
    }

    /**
     * @param streamId the stream
     * @return the version of the stream's last event, -1 when it holds none
     */
    long lastVersion(String streamId);

    /**
     * @param fromPosition the first global position to return (inclusive), 0 or more
     * @param maxCount how many events at most
     * @return events in global order
     */
    List<StoredEvent<?>> readAll(long fromPosition, int maxCount);

    /**
     * @param type a logical type name
     * @param fromPosition the first global position to consider (inclusive)
     * @return every event of that type from that position on, in global order
     */
    List<StoredEvent<?>> readByType(String type, long fromPosition);

    /**
     * Events recorded in {@code [start, end)}. {@code start > end} and {@code start == end} give an
     * empty list.
     *
     * @param start inclusive, not null
     * @param end exclusive, not null
     * @return the events in global order
     * @throws IllegalArgumentException when a bound is null
     */
    List<StoredEvent<?>> readByTime(Instant start, Instant end);

    /**
     * Re-emits, in global order, the event with this id and every later one, to {@code listener}.
     *
     * @param eventId a stored event id
     * @param listener receives the events
     * @return how many events were emitted
     * @throws EventStoreException naming the id when no event has it
     */
    long replayFrom(UUID eventId, EventListener listener);

    /**
     * Emits every event in {@code [fromPosition, toPosition)} in global order.
     *
     * @param fromPosition inclusive
     * @param toPosition exclusive; {@code Long.MAX_VALUE} for "up to the head"
     * @param listener receives the events
     * @return how many events were emitted
     */
    long replay(long fromPosition, long toPosition, EventListener listener);

    /**
     * @param eventId an id
     * @return the global position of the event with that id, or -1 when none has it
     */
    long positionOf(UUID eventId);

    /**
     * Positions are of events, from 0; this is the one position that is not of an event yet, which is why
     * its name says "next" (a stream's version, by contrast, is reported as the {@link #lastVersion last}).
     *
     * @return the global position the next event will get, which is also the number of events stored
     */
    long nextPosition();

    /**
     * The first global position whose event was recorded after {@code instant}: the events "as of"
     * the instant are exactly those before it.
     *
     * @param instant an instant
     * @return a position between 0 and {@link #nextPosition()}
     */
    long firstPositionAfter(Instant instant);

    /**
     * The first global position whose event was recorded at or after {@code instant}: what a "from"
     * bound of a time range starts at (inclusive, like {@link #readByTime}'s start), and what a
     * checkpoint "at T" resumes from, so that events stamped exactly T are not missed.
     *
     * @param instant an instant
     * @return a position between 0 and {@link #nextPosition()}
     */
    long firstPositionAtOrAfter(Instant instant);

    /**
     * Subscribes a listener to every event stored from now on.
     *
     * @param listener the listener
     * @return a handle to unsubscribe
     */
    Subscription subscribe(EventListener listener);
}
