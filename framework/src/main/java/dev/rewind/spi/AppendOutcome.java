package dev.rewind.spi;

import dev.rewind.internal.ImmutableValues;
import java.time.Instant;
import java.util.AbstractList;
import java.util.List;
import java.util.Objects;
import java.util.RandomAccess;

/**
 * What {@link EventStorage#append} did.
 *
 * <p>A storage that stored a batch exactly as it was given, at consecutive versions and positions
 * under one instant, may describe it with {@link #written} instead of building a {@link StoredRecord}
 * per event: the store then builds its events straight from the records it gave, and no stored record
 * is made unless someone asks for one.
 *
 * @param records the stored records of the batch, in order (the original ones for an exact retry)
 * @param alreadyAppended true when the batch was an exact retry and nothing was written
 */
public record AppendOutcome(List<StoredRecord> records, boolean alreadyAppended) {
    /** Copies the list (a {@link Written} batch is immutable and kept as it is). */
    public AppendOutcome {
        records = records instanceof Written ? records : List.copyOf(records);
    }

    /**
     * A batch stored as given.
     *
     * @param records the records as given to {@code append}, in order; nobody may change the list afterwards
     * @param streamId their stream
     * @param firstVersion the stream version of the first record; the others follow it
     * @param firstPosition the global position of the first record; the others follow it
     * @param recordedAt the instant recorded for all of them
     * @return the outcome
     */
    public static AppendOutcome written(List<EventRecord> records, String streamId, long firstVersion,
                                        long firstPosition, Instant recordedAt) {
        return new AppendOutcome(new Written(records, streamId, firstVersion, firstPosition, recordedAt), false);
    }

    /**
     * The stored records of a batch stored as given, made one by one when read: for storages, through
     * {@link AppendOutcome#written}.
     */
    public static final class Written extends AbstractList<StoredRecord> implements RandomAccess {
        private final List<EventRecord> records;
        private final String streamId;
        private final long firstVersion;
        private final long firstPosition;
        private final Instant recordedAt;

        private Written(List<EventRecord> records, String streamId, long firstVersion, long firstPosition,
                        Instant recordedAt) {
            if (records.isEmpty()) {
                throw new IllegalArgumentException("a written batch holds at least one record");
            }
            this.records = records;
            this.streamId = Objects.requireNonNull(streamId, "streamId");
            this.firstVersion = firstVersion;
            this.firstPosition = firstPosition;
            this.recordedAt = Objects.requireNonNull(recordedAt, "recordedAt");
        }

        @Override
        public StoredRecord get(int index) {
            EventRecord r = records.get(index);
            return StoredRecord.of(r, streamId, firstVersion + index, firstPosition + index, recordedAt,
                    ImmutableValues.isShareable(r.decodedPayload()));
        }

        @Override
        public int size() {
            return records.size();
        }

        /** @return the records as given, in order */
        public List<EventRecord> given() {
            return records;
        }

        /** @return their stream */
        public String streamId() {
            return streamId;
        }

        /** @return the stream version of the first record */
        public long firstVersion() {
            return firstVersion;
        }

        /** @return the global position of the first record */
        public long firstPosition() {
            return firstPosition;
        }

        /** @return the instant recorded for all of them */
        public Instant recordedAt() {
            return recordedAt;
        }
    }
}
