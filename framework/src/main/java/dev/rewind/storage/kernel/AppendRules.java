package dev.rewind.storage.kernel;

import dev.rewind.ConcurrencyConflictException;
import dev.rewind.DuplicateEventIdException;
import dev.rewind.ExpectedVersion;
import dev.rewind.spi.storage.AppendOutcome;
import dev.rewind.spi.storage.SerializedEvent;
import dev.rewind.spi.storage.StoredSerializedEvent;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * The append checks of the storage contract, in their order and with their messages, for any storage
 * that supplies the look-ups: an exact retry returns the original numbers; an id stored before, or twice
 * in the batch, is a duplicate; then the expected version. Call {@link #checkIds} then
 * {@link #conflict} under the lock that orders appends.
 */
public final class AppendRules {
    private AppendRules() {
    }

    /** What the checks need to know of what a storage holds (including what it has queued). */
    public interface Lookups {
        /**
         * @param eventId an id
         * @return its global position, or -1
         */
        long positionOf(UUID eventId);

        /**
         * @param position a position returned by {@link #positionOf}, or one after it
         * @return the event there
         */
        StoredSerializedEvent eventAt(long position);

        /**
         * @param position a global position up to the next one
         * @return whether a batch begins there (true for the next position: the end of the last batch)
         */
        boolean batchStartsAt(long position);
    }

    /**
     * Checks the ids of a batch.
     *
     * @param streamId the stream appended to
     * @param events the batch
     * @param lookups what the storage holds
     * @return the outcome of the batch stored before when this is an exact retry of it (the same ids,
     *     stream and content, the whole batch), else null
     * @throws DuplicateEventIdException naming the id, when an id is stored otherwise or appears twice
     */
    public static AppendOutcome checkIds(String streamId, List<SerializedEvent> events, Lookups lookups) {
        int n = events.size();
        long first = lookups.positionOf(events.get(0).eventId());
        if (first >= 0 && lookups.batchStartsAt(first) && lookups.batchStartsAt(first + n)) {
            StoredSerializedEvent head = lookups.eventAt(first);
            boolean same = head.streamId().equals(streamId);
            for (int i = 0; same && i < n; i++) {
                StoredSerializedEvent s = i == 0 ? head : lookups.eventAt(first + i);
                same = s.streamId().equals(streamId) && s.streamVersion() == head.streamVersion() + i
                        && (i == 0 || !lookups.batchStartsAt(first + i)) && events.get(i).sameContentAs(s);
            }
            if (same) {
                return new AppendOutcome(head.streamVersion(), first, head.recordedAt(), true);
            }
        }
        for (SerializedEvent e : events) {
            long at = lookups.positionOf(e.eventId());
            if (at >= 0) {
                StoredSerializedEvent s = lookups.eventAt(at);
                throw new DuplicateEventIdException(e.eventId(), "already stored at global position " + at
                        + " (stream '" + s.streamId() + "' version " + s.streamVersion()
                        + "); nothing of this batch was written");
            }
        }
        checkDistinct(events);
        return null;
    }

    /**
     * @param events a batch
     * @throws DuplicateEventIdException when an id appears twice in it
     */
    public static void checkDistinct(List<SerializedEvent> events) {
        int n = events.size();
        if (increasing(events)) {
            return; // ids made by the store increase (EventIds): distinct without comparing every pair
        }
        if (n > 16) {
            Set<UUID> ids = new HashSet<>();
            for (SerializedEvent e : events) {
                if (!ids.add(e.eventId())) {
                    throw twice(e.eventId());
                }
            }
            return;
        }
        for (int i = 1; i < n; i++) { // small batches, the usual case: no allocation
            UUID id = events.get(i).eventId();
            for (int j = 0; j < i; j++) {
                if (events.get(j).eventId().equals(id)) {
                    throw twice(id);
                }
            }
        }
    }

    private static boolean increasing(List<SerializedEvent> events) {
        UUID previous = events.get(0).eventId();
        for (int i = 1; i < events.size(); i++) {
            UUID id = events.get(i).eventId();
            int c = Long.compareUnsigned(id.getMostSignificantBits(), previous.getMostSignificantBits());
            if (c < 0 || (c == 0 && Long.compareUnsigned(id.getLeastSignificantBits(),
                    previous.getLeastSignificantBits()) <= 0)) {
                return false;
            }
            previous = id;
        }
        return true;
    }

    private static DuplicateEventIdException twice(UUID id) {
        return new DuplicateEventIdException(id, "it appears twice in the same batch");
    }

    /**
     * @param streamId the stream appended to
     * @param expected what the caller expects of it
     * @param lastVersion the version of its last event, -1 when it holds none
     * @return the conflict to report, or null when the expectation holds
     */
    public static ConcurrencyConflictException conflict(String streamId, ExpectedVersion expected, long lastVersion) {
        return expected.matches(lastVersion) ? null : new ConcurrencyConflictException(streamId, expected, lastVersion);
    }
}
