package dev.rewind.spi.storage;

import dev.rewind.ExpectedVersion;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * The storage port: where a backend (in memory, file, PostgreSQL) keeps serialised events. Eight
 * methods; decoding, upcasting, delivery and projections happen above it, and a storage stores exactly
 * what it is given.
 *
 * <h2>Contract</h2>
 * Every storage runs the contract test suite ({@code dev.rewind.spi.storage.contract} in the
 * framework's test jar). In short:
 * <ul>
 *   <li>{@link #append} is atomic. It assigns stream versions (from 0, gap-free per stream) and global
 *       positions (from 0, gap-free), and stamps every event of the batch with one instant that never
 *       decreases along the global order. It checks, in this order: an exact retry (the same batch, same
 *       ids, stream and content, already stored whole) returns the original numbers with
 *       {@code alreadyAppended} and writes nothing; an id already stored (or twice in the batch) is a
 *       {@link dev.rewind.DuplicateEventIdException} naming it; an expected version that does not match
 *       is a {@link dev.rewind.ConcurrencyConflictException}. {@link dev.rewind.storage.kernel.AppendRules}
 *       implements the checks and their messages for a storage that supplies three look-ups.</li>
 *   <li>Reads return only acknowledged events, and {@link #nextPosition()} moves past a position only once
 *       every lower one is readable: a reader tailing the store never skips an event.</li>
 *   <li>Thread-safe.</li>
 * </ul>
 *
 * <h2>Optional capabilities</h2>
 * A storage may also implement {@link AppendNotifications} (it learns of appends made elsewhere),
 * {@link TypeIndex} (reads by type without a scan) and {@link PayloadObjectStorage} (it keeps payload
 * objects in memory instead of bytes). The store discovers them with {@code instanceof}.
 */
public interface EventStorage extends AutoCloseable {

    /**
     * Appends a batch atomically.
     *
     * @param streamId the stream
     * @param expected the expected version of the stream
     * @param events at least one event
     * @param clock the store's clock, for {@code recordedAt}
     * @return the numbers assigned to the batch
     */
    AppendOutcome append(String streamId, ExpectedVersion expected, List<SerializedEvent> events, Clock clock);

    /**
     * Reads a stream.
     *
     * @param streamId a stream
     * @param fromVersion the first version to return (inclusive); reading backward, {@code Long.MAX_VALUE}
     *     starts at the stream's last event
     * @param maxCount how many at most
     * @param direction forward (versions going up) or backward (going down)
     * @return the events, in the order read; empty for an unknown stream
     */
    List<StoredSerializedEvent> readStream(String streamId, long fromVersion, int maxCount, ReadDirection direction);

    /**
     * Visits the events in {@code [fromPosition, toPosition)}, in global order: the replay path.
     *
     * @param fromPosition the first global position (inclusive)
     * @param toPosition the end (exclusive); {@code Long.MAX_VALUE} for "up to the last readable one"
     * @param visitor receives each event
     * @return how many events were visited
     */
    long read(long fromPosition, long toPosition, Consumer<StoredSerializedEvent> visitor);

    /**
     * @param streamId a stream
     * @return the stream version of its last event, -1 when it holds none
     */
    long lastVersion(String streamId);

    /**
     * @param eventId an id
     * @return the global position of the event with that id, or -1
     */
    long positionOf(UUID eventId);

    /** @return the global position the next event will get: the number of readable events */
    long nextPosition();

    /**
     * @param instant an instant
     * @return the first global position whose event was recorded at or after {@code instant}
     *     (recordedAt never decreases along the global order, so this is a search), or
     *     {@link #nextPosition()} when there is none
     */
    long firstPositionAtOrAfter(Instant instant);

    /** Releases files, connections and locks. */
    @Override
    void close();
}
