package dev.rewind.spi;

import dev.rewind.ExpectedVersion;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.function.LongConsumer;

/**
 * The storage SPI: where a backend (in memory, file, PostgreSQL) keeps serialised events. Decoding and
 * upcasting happen above it; a storage stores exactly what it is given.
 *
 * <h2>Contract</h2>
 * Every storage runs the same contract test suite ({@code EventStorageContract} in the framework's
 * test jar). In short:
 * <ul>
 *   <li>{@link #append} is atomic; it assigns stream versions (from 0, gap-free per stream) and global
 *       positions (from 0, gap-free); it checks the expected version, rejects an event id already
 *       stored with {@link dev.rewind.DuplicateEventIdException} (naming the id) unless the batch is an
 *       exact retry, which returns the original records with {@code alreadyAppended} and writes nothing;
 *       it stamps all records of the batch with one instant {@code max(clock.instant(), last recordedAt)}.</li>
 *   <li>Checks happen in this order: exact retry, duplicate id, expected version.</li>
 *   <li>Reads only ever return records whose append has been acknowledged, and
 *       {@link #headPosition()} only moves past a position once every lower one is readable: a reader
 *       tailing the store never skips an event.</li>
 *   <li>Thread-safe.</li>
 * </ul>
 */
public interface EventStorage extends AutoCloseable {

    /**
     * Appends a batch atomically.
     *
     * @param streamId the stream
     * @param expected the expected version
     * @param records at least one record
     * @param clock the store's clock, for {@code recordedAt}
     * @return the stored records
     */
    AppendOutcome append(String streamId, ExpectedVersion expected, List<EventRecord> records, Clock clock);

    /**
     * @param streamId a stream
     * @param fromVersion the first version (inclusive)
     * @param maxCount how many at most
     * @return the stream's records from that version on, in order
     */
    List<StoredRecord> readStream(String streamId, long fromVersion, int maxCount);

    /**
     * @param streamId a stream
     * @return the version of its last record, -1 when it holds none
     */
    long streamVersion(String streamId);

    /**
     * @param fromPosition the first global position (inclusive)
     * @param maxCount how many at most
     * @return records in global order, none past {@link #headPosition()}
     */
    List<StoredRecord> readAll(long fromPosition, int maxCount);

    /**
     * Visits the records in {@code [fromPosition, toPosition)} in global order: the replay path. The
     * default reads pages with {@link #readAll}; a storage may override it to hand records over without
     * building lists.
     *
     * @param fromPosition the first global position (inclusive)
     * @param toPosition the end (exclusive); {@code Long.MAX_VALUE} for "up to the head"
     * @param visitor receives each record
     * @return how many records were visited
     */
    default long forEach(long fromPosition, long toPosition, java.util.function.Consumer<StoredRecord> visitor) {
        long pos = fromPosition;
        long count = 0;
        while (pos < toPosition) {
            List<StoredRecord> page = readAll(pos, (int) Math.min(4096, toPosition - pos));
            if (page.isEmpty()) {
                break;
            }
            for (StoredRecord r : page) {
                visitor.accept(r);
            }
            count += page.size();
            pos = page.get(page.size() - 1).globalPosition() + 1;
        }
        return count;
    }

    /**
     * Records of one type. The default scans {@link #readAll}; storages with a type index override it.
     *
     * @param type a logical type name
     * @param fromPosition the first global position (inclusive)
     * @param maxCount how many at most
     * @return records of that type in global order
     */
    default List<StoredRecord> readByType(String type, long fromPosition, int maxCount) {
        List<StoredRecord> out = new java.util.ArrayList<>();
        long pos = fromPosition;
        while (out.size() < maxCount) {
            List<StoredRecord> page = readAll(pos, 4096);
            if (page.isEmpty()) {
                break;
            }
            for (StoredRecord r : page) {
                if (r.type().equals(type) && out.size() < maxCount) {
                    out.add(r);
                }
            }
            pos = page.get(page.size() - 1).globalPosition() + 1;
        }
        return out;
    }

    /**
     * @param eventId an id
     * @return the global position of the record with that id, or -1
     */
    long positionOf(UUID eventId);

    /** @return the number of readable records: the position the next record gets */
    long headPosition();

    /**
     * @param instant an instant
     * @return the first global position whose record was recorded after {@code instant}
     *     (recordedAt never decreases along the global order, so this is a search), or the head
     */
    long positionAfter(Instant instant);

    /**
     * @param instant an instant
     * @return the first global position whose record was recorded at or after {@code instant}, or the head
     */
    long positionAtOrAfter(Instant instant);

    /**
     * Registers a callback the storage calls, with the new head position, whenever records become
     * readable, including records appended by another process (a storage shared between machines
     * calls it when it learns of them). The store uses it to deliver events to subscribers. The
     * default does nothing: the store then learns of new records only from its own appends.
     *
     * @param onNewHead called with the new head position; must be quick and must not throw
     */
    default void onAppended(LongConsumer onNewHead) {
    }

    /**
     * Whether this storage keeps payload objects in memory instead of bytes (see
     * {@link EventRecord#decodedPayload()}). When false (the default), the store encodes every record's
     * bytes before calling {@link #append}, so a durable storage never encodes JSON under its own lock.
     *
     * @return true for storages that hold events in memory
     */
    default boolean keepsDecodedPayloads() {
        return false;
    }

    /** Releases files, connections and locks. */
    @Override
    void close();
}
