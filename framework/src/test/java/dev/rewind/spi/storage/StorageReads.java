package dev.rewind.spi.storage;

import java.util.ArrayList;
import java.util.List;

/** Reads a storage the way tests want it: as lists. */
public final class StorageReads {
    private StorageReads() {
    }

    /**
     * @param storage a storage
     * @param from the first global position
     * @param maxCount how many at most
     * @return the events in {@code [from, from + maxCount)}, in global order
     */
    public static List<StoredSerializedEvent> page(EventStorage storage, long from, int maxCount) {
        List<StoredSerializedEvent> out = new ArrayList<>();
        storage.read(from, from + maxCount < 0 ? Long.MAX_VALUE : from + maxCount, out::add);
        return out;
    }

    /** @return every readable event of {@code storage} */
    public static List<StoredSerializedEvent> all(EventStorage storage) {
        return page(storage, 0, Integer.MAX_VALUE);
    }

    /**
     * @param storage a storage
     * @param streamId a stream
     * @param fromVersion the first version
     * @param maxCount how many at most
     * @return the stream read forward
     */
    public static List<StoredSerializedEvent> stream(EventStorage storage, String streamId, long fromVersion,
                                                     int maxCount) {
        return storage.readStream(streamId, fromVersion, maxCount, ReadDirection.FORWARD);
    }

    /**
     * Appends and returns the stored form of what was appended.
     *
     * @param storage a storage
     * @param streamId the stream
     * @param expected its expected version
     * @param events the batch
     * @param clock the clock
     * @return the stored events
     */
    public static List<StoredSerializedEvent> appended(EventStorage storage, String streamId,
                                                       dev.rewind.ExpectedVersion expected,
                                                       List<SerializedEvent> events, java.time.Clock clock) {
        return stored(storage.append(streamId, expected, events, clock), streamId, events);
    }

    /**
     * @param outcome what an append returned
     * @param streamId the stream appended to
     * @param given the events given to it
     * @return the stored form of those events, from the numbers in the outcome
     */
    public static List<StoredSerializedEvent> stored(AppendOutcome outcome, String streamId,
                                                     List<SerializedEvent> given) {
        List<StoredSerializedEvent> out = new ArrayList<>(given.size());
        for (int i = 0; i < given.size(); i++) {
            out.add(StoredSerializedEvent.of(given.get(i), streamId, outcome.firstVersion() + i,
                    outcome.firstPosition() + i, outcome.recordedAt()));
        }
        return out;
    }
}
