package dev.rewind;

import java.util.List;

/**
 * What an append did.
 *
 * @param streamId the stream appended to
 * @param events the stored events of the batch, in order (the original ones for a recognised retry)
 * @param alreadyAppended true when the exact same batch had been appended before: nothing was written
 */
public record AppendResult(String streamId, List<StoredEvent<?>> events, boolean alreadyAppended) {

    /**
     * Copies the list.
     *
     * @param streamId the stream appended to
     * @param events the stored events of the batch, in order (the original ones for a recognised retry)
     * @param alreadyAppended true when the exact same batch had been appended before: nothing was written
     */
    public AppendResult {
        events = List.copyOf(events);
    }

    /** @return the stream version of the batch's last event */
    public long lastStreamVersion() {
        return events.get(events.size() - 1).streamVersion();
    }

    /** @return the global position of the batch's first event */
    public long firstPosition() {
        return events.get(0).globalPosition();
    }

    /** @return the global position of the batch's last event */
    public long lastPosition() {
        return events.get(events.size() - 1).globalPosition();
    }
}
